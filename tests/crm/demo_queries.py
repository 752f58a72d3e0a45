"""Read helpers for the demo-world tests: SQL into pandas, table digests."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

AS_OF = dt.date(2026, 6, 30)


def read(engine: Engine, sql: str) -> pd.DataFrame:
    """Run ``sql`` and return the rows as a DataFrame."""
    with engine.connect() as conn:
        return pd.read_sql(text(sql), conn)


def digests(engine: Engine) -> dict[str, str]:
    """A SHA-256 of every table's rows in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    return out


def truth(engine: Engine, entity: str, label: str) -> set[str]:
    """Ids of the ``entity`` rows planted with ``label``."""
    frame = read(
        engine,
        f"SELECT entity_id FROM demo_truth WHERE entity = '{entity}' AND label = '{label}'",
    )
    return set(frame["entity_id"])
