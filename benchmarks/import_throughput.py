"""Import throughput: a synthetic folder of N orders (plus accounts and products) into SQLite.

``python -m benchmarks import_throughput [--orders 1000000] [--url sqlite:///...]``
prints the time spent checking and writing, and rows per second; then re-imports the
same folder (everything unchanged) and times that too.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from crm.db import make_engine
from crm.importer import import_folder
from crm.migrate import upgrade


def write_folder(folder: Path, orders: int, seed: int = 7) -> None:
    """Write accounts.csv, products.csv and orders.csv with ``orders`` rows."""
    rng = np.random.default_rng(seed)
    n_accounts = max(orders // 100, 10)
    pd.DataFrame(
        {
            "id": [f"A{i}" for i in range(n_accounts)],
            "name": [f"Account {i}" for i in range(n_accounts)],
            "created_at": "2020-01-01T00:00:00Z",
        }
    ).to_csv(folder / "accounts.csv", index=False)
    pd.DataFrame(
        {"id": [f"P{i}" for i in range(20)], "name": [f"Product {i}" for i in range(20)]}
    ).to_csv(folder / "products.csv", index=False)
    days = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1095, orders), unit="D")
    cents = rng.integers(1_000, 5_000_000, orders)
    pd.DataFrame(
        {
            "id": np.char.add("R", np.arange(orders).astype(str)),
            "account_id": np.char.add("A", rng.integers(0, n_accounts, orders).astype(str)),
            "order_date": days.strftime("%Y-%m-%d"),
            "amount": [f"{c / 100:.2f}" for c in cents],
            "cost": [f"{c * 0.6 / 100:.2f}" for c in cents],
            "product_id": np.char.add("P", rng.integers(0, 20, orders).astype(str)),
        }
    ).to_csv(folder / "orders.csv", index=False)


class _Clock:
    """Records when the checking and writing phases start."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}

    def task(self, label: str, total: int) -> Callable[[int], None]:
        phase = label.split()[0]
        self.marks.setdefault(phase, time.perf_counter())
        return lambda _n: None


def timed_import(url: str, folder: Path, label: str, rows: int) -> None:
    """Import ``folder`` once and print the phase timings."""
    clock = _Clock()
    cpu = time.process_time()
    start = time.perf_counter()
    result = import_folder(make_engine(url), folder, progress=clock)
    end = time.perf_counter()
    cpu = time.process_time() - cpu
    assert result.ok, [str(p) for p in result.problems.sorted()[:5]]
    check = clock.marks.get("writing", end) - start
    write = end - clock.marks.get("writing", end)
    counts = {t.table: (t.inserted, t.updated, t.unchanged) for t in result.tables}
    print(
        f"{label}: {rows:,} rows in {end - start:.1f} s ({rows / (end - start):,.0f} rows/s); "
        f"check {check:.1f} s, write {write:.1f} s; CPU {cpu:.1f} s; "
        f"orders (inserted, updated, unchanged) = {counts['orders']}"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks import_throughput")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--url", default=None, help="store URL (default: a temporary SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        write_folder(folder, args.orders)
        print(f"generated {args.orders:,} orders in {time.perf_counter() - start:.1f} s")
        url = args.url or f"sqlite:///{folder / 'bench.db'}"
        upgrade(url)
        rows = args.orders + max(args.orders // 100, 10) + 20
        timed_import(url, folder, "first import", rows)
        timed_import(url, folder, "re-import", rows)
