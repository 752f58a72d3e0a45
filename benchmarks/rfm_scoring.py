"""RFM scoring of every account from the database, and per-account tool latency.

``python -m benchmarks rfm_scoring [--accounts 100000] [--orders 1000000] [--db PATH]``

Synthesises a store of the size of ``--scale 500`` (about 100k accounts, 1M orders;
seeded, cached in ``--db`` so later runs skip the build), then measures: the cold
``rfm_table`` for an admin (one GROUP BY + pandas scoring), its peak Python memory
(tracemalloc) and process RSS, the warm cached call, and p50/p95 of ``account_rfm``
and ``account_360`` for random accounts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import time
import tracemalloc
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


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=20)
    return statistics.median(samples), cuts[18]


def _latency(call: object, ids: list[str]) -> tuple[float, float]:
    samples = []
    for account_id in ids:
        start = time.perf_counter()
        call(account_id=account_id)  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    return _percentiles(samples)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks rfm_scoring")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/dealwise_bench/rfm_500.db"))
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)
    from tools.account_360 import account_360
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
        start = time.perf_counter()
        table = rfm_table(ctx)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        rfm_table(ctx)
        warm = (time.perf_counter() - start) * 1000
        clear_cache()
        tracemalloc.start()
        rfm_table(ctx)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"rfm_table cold: {len(table)} accounts scored in {cold:.2f} s")
        print(f"  peak traced Python memory {peak:.0f} MiB; process max RSS {rss:.0f} MiB")
        print(f"rfm_table warm (cache hit, fingerprint queries): {warm:.1f} ms")
        rng = np.random.default_rng(1)
        ids = [str(i) for i in rng.choice(table.index.to_numpy(), size=args.calls)]
        p50, p95 = _latency(lambda **kw: account_rfm(ctx, **kw), ids)
        print(f"account_rfm over {args.calls} accounts: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        start = time.perf_counter()
        account_360(ctx, account_id=ids[0])  # first call fits (or loads) the CLV models
        print(f"account_360 first call (CLV fit/load): {time.perf_counter() - start:.2f} s")
        p50, p95 = _latency(lambda **kw: account_360(ctx, **kw), ids)
        print(f"account_360 over {args.calls} accounts: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
