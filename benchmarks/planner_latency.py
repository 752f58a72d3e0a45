"""Offline planner latency per question inside a running process (demo world, ``--scale 10``).

Builds (or reuses, with ``--db``) the demo world at the given scale, warms the process
up (intent model fit, vocabularies, tool caches) with one pass over the questions, then
times a second pass: every single-turn question of ``planner_eval.yaml`` answered by the
offline planner, tool calls included. Prints p50, p95 and max, and the slowest questions.
Target: p95 < 300 ms.

Run: ``python -m benchmarks planner_latency [--scale 10] [--db PATH] [--limit N]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from sqlmodel import Session

from assistant.offline import OfflinePlanner
from assistant.planner import ThreadMemory, Turn
from benchmarks.planner_eval import AS_OF, EVAL_SET, SEED
from tools.catalog import load_catalog
from tools.context import ToolContext


def main(argv: list[str]) -> None:
    """Time the offline planner on single-turn questions; print p50/p95/max."""
    from crm.db import create_all, make_engine
    from crm.demo import build_demo

    parser = argparse.ArgumentParser(prog="planner_latency")
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--db", type=Path, help="demo world SQLite file (built if missing)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    opts = parser.parse_args(argv)
    path = opts.db or Path(tempfile.mkdtemp()) / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    if not path.exists() or path.stat().st_size == 0:
        start = time.perf_counter()
        create_all(engine)
        build_demo(engine, scale=opts.scale, seed=SEED, as_of=AS_OF)
        print(f"built demo world scale {opts.scale:g} in {time.perf_counter() - start:.1f}s")
    data = yaml.safe_load(EVAL_SET.read_text("utf-8"))
    cases = [c for c in data["dev"] + data["holdout"] if "thread" not in c]
    cases = cases[: opts.limit] if opts.limit else cases
    planner, catalog = OfflinePlanner(), load_catalog()
    timings: list[tuple[float, str]] = []
    with Session(engine) as session:
        for timed in (False, True):
            for case in cases:
                ctx = ToolContext.for_user(session, case["caller"], AS_OF)
                turn = Turn(case["q"], ctx, catalog, ThreadMemory(thread_id="bench"))
                start = time.perf_counter()
                planner.answer(turn)
                if timed:
                    timings.append(((time.perf_counter() - start) * 1000, case["q"]))
    ms = np.array([t for t, _ in timings])
    print(
        f"offline planner, demo scale {opts.scale:g}, {len(ms)} questions (warm process): "
        f"p50 {statistics.median(ms):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms, "
        f"max {ms.max():.0f} ms"
    )
    for elapsed, question in sorted(timings, reverse=True)[:5]:
        print(f"  {elapsed:7.0f} ms  {question}")
