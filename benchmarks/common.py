"""Helpers shared by the benchmarks: the seeded demo world, built once and cached."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from sqlalchemy.engine import Engine

from crm.db import create_all, make_engine

DEMO_AS_OF = dt.date(2026, 6, 30)
"""The reference day most benchmarks build and query the demo world at."""


def demo_store(path: Path, *, scale: float, seed: int = 7, as_of: dt.date) -> Engine:
    """The SQLite demo world at ``path``, built by ``crm.demo.build_demo`` if missing.

    The world is built under a ``.building`` name and renamed when complete, so an
    interrupted build never leaves a half-filled store that later runs would reuse. The
    build time is printed; an existing store is opened as it is (the caller keys ``path``
    by whatever it varies: scale, seed, day).
    """
    if not path.exists():
        from crm.demo import build_demo

        path.parent.mkdir(parents=True, exist_ok=True)
        building = path.with_name(path.name + ".building")
        building.unlink(missing_ok=True)
        start = time.perf_counter()
        engine = make_engine(f"sqlite:///{building}")
        create_all(engine)
        build_demo(engine, scale=scale, seed=seed, as_of=as_of)
        engine.dispose()
        building.rename(path)
        took = time.perf_counter() - start
        print(f"built demo world scale {scale:g}, seed {seed}, as of {as_of} in {took:.0f} s")
    return make_engine(f"sqlite:///{path}")
