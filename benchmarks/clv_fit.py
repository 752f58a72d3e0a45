"""CLV benchmarks: BG/NBD fit vs ``lifetimes``, CLV scoring from the DB, per-account calls.

``python -m benchmarks clv_fit [--customers N] [--db PATH] [--skip-lifetimes]``

1. BG/NBD on N simulated customers (default 100,000), day-resolution times as a CRM
   gives them, fitted by :func:`tools.bgnbd.fit` and by ``lifetimes``' BetaGeoFitter
   in the same run (``lifetimes`` lives in its own venv, see ``LIFETIMES_SETUP``);
   both optima are compared by our log-likelihood.
2. ``clv_table`` over a SQLite store of ~100k accounts and ~1M orders (generated once
   into ``--db``): cold (summary + fit + scoring) and warm (cached fit).
3. ``account_clv`` through the catalog for 300 random accounts after the fit: p50/p95.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from tools import bgnbd

BENCH_PYTHON = Path(".venv-bench/bin/python")
LIFETIMES_SETUP = "python3.11 -m venv .venv-bench && .venv-bench/bin/pip install lifetimes==0.11.3"
AS_OF = dt.date(2024, 6, 30)
TRUTH = bgnbd.BGNBDParams(r=0.8, alpha=30.0, a=0.9, b=6.0)  # days
_LIFETIMES_FIT = """
import json, sys, time
import numpy as np
from lifetimes import BetaGeoFitter
data = np.load(sys.argv[1])
start = time.perf_counter()
model = BetaGeoFitter().fit(data["x"], data["t_x"], data["T"])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "params": [float(v) for v in model.params_]}))
"""


def simulate(customers: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers first seen over three years before AS_OF; times in whole days."""
    rng = np.random.default_rng(seed)
    T = rng.integers(1, 3 * 365, size=customers).astype(float)
    x, t_x = bgnbd.simulate(TRUTH, T, rng)
    return x, np.floor(t_x), T


def bench_fit(customers: int, skip_lifetimes: bool) -> None:
    x, t_x, T = simulate(customers)
    start = time.perf_counter()
    ours = bgnbd.fit(x, t_x, T)
    our_seconds = time.perf_counter() - start
    print(
        f"BG/NBD fit, {customers:,} customers (days): {our_seconds:.3f} s, "
        f"{ours.iterations} iterations, LL {ours.log_likelihood:.6f}, {ours.params}"
    )
    if skip_lifetimes or not BENCH_PYTHON.exists():
        print(f"lifetimes skipped (set it up with: {LIFETIMES_SETUP})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npz"
        np.savez(path, x=x, t_x=t_x, T=T)
        out = subprocess.run(
            [str(BENCH_PYTHON), "-c", _LIFETIMES_FIT, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
    theirs = json.loads(out.stdout.strip().splitlines()[-1])
    their_ll = bgnbd.log_likelihood(bgnbd.BGNBDParams(*theirs["params"]), x, t_x, T)
    rel = abs(their_ll - ours.log_likelihood) / abs(ours.log_likelihood)
    print(
        f"lifetimes 0.11.3 BetaGeoFitter: {theirs['seconds']:.3f} s, LL {their_ll:.6f}, "
        f"params {np.round(theirs['params'], 5).tolist()}"
    )
    print(
        f"speed-up {theirs['seconds'] / our_seconds:.1f}x; LL relative difference {rel:.2e} "
        f"(ours {'higher or equal' if ours.log_likelihood >= their_ll else 'lower'})"
    )


def build_store(path: Path, customers: int) -> None:
    """BG/NBD purchase days (days, ``TRUTH``), 40% of them with a second same-day order."""
    x, t_x, T = simulate(customers, seed=7)
    rng = np.random.default_rng(8)
    n_days = (x + 1).astype(int)
    owner = np.repeat(np.arange(customers), n_days)
    last = np.repeat(t_x, n_days)
    offsets = np.floor(rng.uniform(0, 1, owner.size) * last)
    is_first = np.r_[True, owner[1:] != owner[:-1]]
    is_last = np.r_[owner[1:] != owner[:-1], True]
    offsets = np.where(is_first, 0, np.where(is_last, last, offsets))
    first_day = np.datetime64(AS_OF) - np.repeat(T, n_days).astype("timedelta64[D]")
    days = (first_day + offsets.astype("timedelta64[D]")).astype(str)
    extra = rng.uniform(size=owner.size) < 0.4  # a second order on the same day
    owner, days = np.r_[owner, owner[extra]], np.r_[days, days[extra]]
    amounts = rng.gamma(3.0, 4000.0, owner.size).astype(int)
    from crm.db import create_all, make_engine

    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    create_all(make_engine(f"sqlite:///{building}"))
    con = sqlite3.connect(building)
    con.execute("INSERT INTO users (id, name, role) VALUES ('admin', 'Admin', 'admin')")
    for rep in range(20):
        con.execute(
            "INSERT INTO users (id, name, role) VALUES (?, ?, 'rep')", (f"rep{rep}", f"Rep {rep}")
        )
    con.executemany(
        "INSERT INTO accounts (id, name, owner_id, created_at) VALUES (?, ?, ?, ?)",
        (
            (f"A{i:06d}", f"Account {i}", f"rep{i % 20}", "2020-01-01 00:00:00.000000")
            for i in range(customers)
        ),
    )
    con.executemany(
        "INSERT INTO orders (id, account_id, order_date, amount_cents) VALUES (?, ?, ?, ?)",
        (
            (f"O{k:08d}", f"A{a:06d}", d, int(m))
            for k, (a, d, m) in enumerate(zip(owner, days, amounts, strict=True))
        ),
    )
    con.commit()
    orders = con.execute("SELECT count(*) FROM orders").fetchone()[0]
    con.close()
    building.rename(path)
    print(f"built {path}: {customers:,} accounts, {orders:,} orders")


def bench_store(path: Path, customers: int) -> None:
    from sqlalchemy import text
    from sqlmodel import Session

    from crm.db import make_engine
    from crm.scope import Scope
    from tools.catalog import load_catalog
    from tools.clv import clv_table
    from tools.clv_data import data_key
    from tools.clv_models import forget_memo
    from tools.context import ToolContext

    if not path.exists():
        build_store(path, customers)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        session.execute(text("DELETE FROM model_fits"))
        session.commit()
        forget_memo()
        ctx = ToolContext(session=session, scope=Scope.everything(), as_of=AS_OF)
        for label in ("cold (summary + fit + score)", "warm (fit cached)"):
            start, cpu = time.perf_counter(), time.process_time()
            table = clv_table(ctx)
            print(
                f"clv_table {label}: {time.perf_counter() - start:.2f} s wall, "
                f"{time.process_time() - cpu:.2f} s CPU, {len(table):,} accounts"
            )
        start = time.perf_counter()
        data_key(session, AS_OF)
        print(f"data key (orders fingerprint): {1000 * (time.perf_counter() - start):.0f} ms")
        spec = load_catalog()["account_clv"]
        ids = np.random.default_rng(1).choice(table.index.to_numpy(), 300, replace=False)
        times, cpu_times = [], []
        for account_id in ids:
            start, cpu = time.perf_counter(), time.process_time()
            spec.call(ctx, {"account_id": str(account_id)})
            times.append(1000 * (time.perf_counter() - start))
            cpu_times.append(1000 * (time.process_time() - cpu))
        p50, p95 = np.percentile(times, [50, 95])
        c50, c95 = np.percentile(cpu_times, [50, 95])
        print(
            f"account_clv per call (300 accounts): wall p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
            f"CPU p50 {c50:.1f} ms, p95 {c95:.1f} ms"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks clv_fit")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path(".dealwise/bench_clv.db"))
    parser.add_argument("--skip-lifetimes", action="store_true")
    parser.add_argument("--skip-store", action="store_true")
    args = parser.parse_args(argv)
    bench_fit(args.customers, args.skip_lifetimes)
    if not args.skip_store:
        args.db.parent.mkdir(parents=True, exist_ok=True)
        bench_store(args.db, args.customers)
