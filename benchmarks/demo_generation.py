"""Demo world generation: time, rows and peak memory at several scales.

``python -m benchmarks demo_generation [--scales 10,500] [--url sqlite:///...]`` builds
each scale in a fresh child process (so peak memory is per scale) into a temporary
SQLite file (or the empty store at ``--url``) and prints generation and write times,
rows per table group and the peak resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 6, 30)


def run_one(scale: float, url: str) -> dict[str, Any]:
    """Generate and write one world; return the measurements."""
    from crm.db import make_engine
    from crm.demo import DemoConfig, generate
    from crm.demo.writer import write_tables
    from crm.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    start = time.perf_counter()
    tables = generate(DemoConfig(as_of=AS_OF, scale=scale, seed=7))
    generated = time.perf_counter()
    counts = write_tables(engine, tables)
    written = time.perf_counter()
    return {
        "scale": scale,
        "generate_s": round(generated - start, 1),
        "write_s": round(written - generated, 1),
        "rows": sum(counts.values()),
        "counts": counts,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _child(scale: float, url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        target = url or f"sqlite:///{Path(tmp) / 'demo.db'}"
        code = (
            "import json, sys; from benchmarks.demo_generation import run_one; "
            f"print(json.dumps(run_one({scale!r}, {target!r})))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks demo_generation")
    parser.add_argument("--scales", default="10,500", help="comma-separated scales")
    parser.add_argument("--url", default=None, help="an EMPTY store (default: temp SQLite)")
    args = parser.parse_args(argv)
    for scale in (float(s) for s in args.scales.split(",")):
        r = _child(scale, args.url)
        counts = r["counts"]
        total = r["generate_s"] + r["write_s"]
        print(
            f"scale {scale:g}: {r['rows']:,} rows in {total:.1f} s "
            f"(generate {r['generate_s']} s, write {r['write_s']} s, "
            f"{r['rows'] / max(total, 1e-9):,.0f} rows/s); peak RSS {r['peak_rss_mb']} MB"
        )
        keys = ("accounts", "contacts", "opportunities", "orders", "activities", "note_labels")
        print("  " + ", ".join(f"{k} {counts[k]:,}" for k in keys), flush=True)
