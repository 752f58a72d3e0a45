"""Stage-analysis, forecast and win-model timings on the demo world.

``python -m benchmarks pipeline_tools [--scale 500] [--db PATH] [--repeat 3] [--no-settle]``

Builds the seeded demo world at ``--scale`` once (cached in ``--db``), then times, for
the whole company (admin scope): pipeline by stage + funnel conversion + sales velocity
(the issue's "< 2 s at scale 500" budget), stalled / slipped deals, the forecast, and
the win model's training (cold cache) and one explained prediction (warm).

The first calls are timed as a server process makes them: modules loaded and the cyclic
GC settled (:func:`api.app.settle_gc`, as ``dealwise serve`` does at start-up).
``--no-settle`` times them as a one-shot ``dealwise tool`` process instead.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from api.app import settle_gc
from benchmarks.common import DEMO_AS_OF, demo_store
from crm.models import Opportunity, StageHistory
from crm.scope import Scope
from tools.context import ToolContext


def timed(label: str, repeat: int, call: Callable[[], object]) -> tuple[float, float]:
    """Run ``call`` ``repeat`` times; print and return (median, first) wall seconds.

    The first call of a process fills the shared frames; the CPU time of that call is
    printed too (the machine is shared, CPU time is steadier than wall time).
    """
    samples, first_cpu = [], 0.0
    for i in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        call()
        samples.append(time.perf_counter() - start)
        if i == 0:
            first_cpu = time.process_time() - cpu
    median = statistics.median(samples)
    print(f"{label:<44} median {median * 1000:8.0f} ms  (first {samples[0] * 1000:.0f} ms, "
          f"cpu {first_cpu * 1000:.0f} ms)")  # fmt: skip
    return median, samples[0]


def main(argv: list[str]) -> None:
    from tools.forecast import forecast
    from tools.funnel import funnel_conversion
    from tools.pipeline import pipeline_by_stage
    from tools.velocity import sales_velocity, slipped_deals, stalled_deals
    from tools.win_model import TrainedModel, trained_model, win_probability

    parser = argparse.ArgumentParser(prog="pipeline_tools")
    parser.add_argument("--scale", type=float, default=500)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-settle", dest="settle", action="store_false")
    args = parser.parse_args(argv)
    path = args.db or Path(f".dealwise/bench/pipeline_{args.scale:g}.db")
    engine = demo_store(path, scale=args.scale, as_of=DEMO_AS_OF)
    with Session(engine) as session:
        ctx = ToolContext(session=session, scope=Scope.everything(), as_of=DEMO_AS_OF)
        deals = session.exec(select(func.count()).select_from(Opportunity)).one()
        visits = session.exec(select(func.count()).select_from(StageHistory)).one()
        print(f"scale {args.scale:g}: {deals} opportunities, {visits} stage-history rows")
        if args.settle:
            settle_gc()
        r = args.repeat
        total = [
            timed("pipeline_by_stage", r, lambda: pipeline_by_stage(ctx)),
            timed("funnel_conversion (all time)", r, lambda: funnel_conversion(ctx)),
            timed("sales_velocity", r, lambda: sales_velocity(ctx)),
        ]
        warm, first = (sum(t[i] for t in total) * 1000 for i in (0, 1))
        print(f"{'pipeline + funnel + velocity (company)':<44} total  {warm:8.0f} ms  "
              f"(first calls {first:.0f} ms)")  # fmt: skip
        timed("stalled_deals (stage norms cached)", r, lambda: stalled_deals(ctx))
        timed("slipped_deals", r, lambda: slipped_deals(ctx))
        timed("forecast this quarter (rates cached)", r, lambda: forecast(ctx))
        timed("win model training (cold cache)", 1, lambda: trained_model(ctx))
        model = trained_model(ctx)
        if isinstance(model, TrainedModel):
            print(f"model: {model.family}, {model.n_closed} closed deals, brier {model.brier}")
            deal = pipeline_by_stage(ctx).stages[0].opportunity_ids[0]
            timed("win_probability (model cached)", r, lambda: win_probability(
                ctx, opportunity_id=deal))  # fmt: skip
