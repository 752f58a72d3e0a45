"""RFM scoring of every account from the database, and per-account tool latency.

``python -m benchmarks rfm_scoring [--accounts 100000] [--orders 1000000] [--db PATH]``

Synthesises a store of the size of ``--scale 500`` (about 100k accounts, 1M orders;
seeded, cached in ``--db`` so later runs skip the build), then measures, wall and CPU
time: the cold ``rfm_table`` and ``clv_table`` for an admin (every account scored from
the database; the CLV models are fitted, or loaded from ``model_fits``), their peak
Python memory (tracemalloc) and process RSS, the warm cached call, and p50/p95 of
``account_rfm``, ``account_clv`` and ``account_360`` for random accounts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.db import create_all, make_engine
from crm.models import Account, Order, User
from crm.scope import Scope
from tools.context import ToolContext

AS_OF = dt.date(2025, 6, 30)


def build_store(engine: Engine, accounts: int, orders: int, seed: int = 7) -> None:
    """Fill an empty store with ``accounts`` accounts and ``orders`` orders (vectorised)."""
    rng = np.random.default_rng(seed)
    create_all(engine)
    created = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    users = [{"id": f"U{i:02d}", "name": f"Rep {i}", "role": "rep"} for i in range(20)]
    acc_rows = [
        {
            "id": f"A{i:06d}",
            "name": f"Company {i}",
            "owner_id": f"U{i % 20:02d}",
            "created_at": created,
        }
        for i in range(accounts)
    ]
    # Skewed activity: a few accounts order a lot, most a little.
    weights = rng.pareto(1.5, accounts) + 0.05
    owner = rng.choice(accounts, size=orders, p=weights / weights.sum())
    days = rng.integers(0, 6 * 365, size=orders)
    amounts = np.round(rng.lognormal(10, 1, size=orders)).astype(np.int64)
    start = AS_OF - dt.timedelta(days=6 * 365 - 30)
    dates = [start + dt.timedelta(days=int(d)) for d in range(6 * 365)]
    with engine.begin() as conn:
        conn.execute(insert(User), users)
        conn.execute(insert(Account), acc_rows)
        batch = 100_000
        for lo in range(0, orders, batch):
            hi = min(lo + batch, orders)
            conn.execute(
                insert(Order),
                [
                    {
                        "id": f"O{i:07d}",
                        "account_id": f"A{owner[i]:06d}",
                        "order_date": dates[days[i]],
                        "amount_cents": int(amounts[i]),
                    }
                    for i in range(lo, hi)
                ],
            )


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def _latency(name: str, call: Callable[[str], object], ids: list[str]) -> None:
    """Print p50/p95 wall and CPU milliseconds of ``call`` over ``ids``."""
    times = np.array([_timed(partial(call, account_id)) for account_id in ids]) * 1000
    wall, cpu = np.percentile(times[:, 0], [50, 95]), np.percentile(times[:, 1], [50, 95])
    print(
        f"{name} over {len(ids)} accounts: wall p50 {wall[0]:.1f} ms, p95 {wall[1]:.1f} ms; "
        f"CPU p50 {cpu[0]:.1f} ms, p95 {cpu[1]:.1f} ms"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks rfm_scoring")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/dealwise_bench/rfm_500.db"))
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)
    from tools.account_360 import account_360
    from tools.clv_models import clv_models, forget_memo
    from tools.clv_score import population_scores
    from tools.rfm import account_rfm, clear_cache, rfm_table

    fresh = not args.db.exists()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{args.db}")
    if fresh:
        start = time.perf_counter()
        build_store(engine, args.accounts, args.orders)
        print(f"built store {args.db} in {time.perf_counter() - start:.1f} s")
    create_all(engine)  # tables added since the store was built (e.g. model fits)
    with Session(engine) as session:
        ctx = ToolContext(session=session, scope=Scope.everything(), as_of=AS_OF)
        clear_cache()
        forget_memo()
        wall, cpu = _timed(lambda: rfm_table(ctx))
        print(f"rfm_table cold: {len(rfm_table(ctx))} accounts, {wall:.2f} s wall, {cpu:.2f} s CPU")
        scores = partial(population_scores, ctx, horizon_weeks=52, discount_rate=0.1)
        wall, cpu = _timed(partial(scores, lifetime_years=None))
        issue = clv_models(ctx).issue
        print(
            f"CLV scores cold (summary + fit or load + scoring): {wall:.2f} s wall, {cpu:.2f} s CPU"
        )
        print(f"  {len(scores(lifetime_years=None))} customers; model issue: {issue or 'none'}")
        clear_cache()
        forget_memo()
        tracemalloc.start()  # a second cold pass: tracemalloc slows the timed one down
        rfm_table(ctx)
        scores(lifetime_years=None)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak traced Python memory {peak:.0f} MiB; process max RSS {rss:.0f} MiB")
        wall, cpu = _timed(lambda: rfm_table(ctx))
        print(f"rfm_table warm (cache hit): {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU")
        rng = np.random.default_rng(1)
        table = rfm_table(ctx)
        ids = [str(i) for i in rng.choice(table.index.to_numpy(), size=args.calls)]
        _latency("account_rfm", lambda a: account_rfm(ctx, account_id=a), ids)
        _latency("account_clv", lambda a: _clv_or_none(ctx, a), ids)
        _latency("account_360", lambda a: account_360(ctx, account_id=a), ids)


def _clv_or_none(ctx: ToolContext, account_id: str) -> object:
    from tools.clv import account_clv
    from tools.errors import InsufficientHistory

    try:
        return account_clv(ctx, account_id=account_id)
    except InsufficientHistory:  # bought nothing at a positive amount
        return None
