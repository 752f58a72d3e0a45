"""References: every id a file points at must be in the import or already stored.

Rows that point at a row of their own table (``accounts.parent_id``) are loaded parents
first; a cycle of such references cannot be loaded and is reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, column, select, table
from sqlalchemy.sql.expression import ColumnClause

from crm.importer.problems import Problems
from crm.importer.validate import Checked

IN_CHUNK = 500


class KnownKeys:
    """The keys a reference may point at: those in the import files, then those stored."""

    def __init__(self, conn: Connection) -> None:
        """Look up stored keys through ``conn``."""
        self._conn = conn
        self._in_files: dict[tuple[str, str], pd.Series] = {}

    def add(self, checked: Checked) -> None:
        """Make the single-column key of ``checked`` known."""
        if len(checked.spec.key) == 1 and checked.spec.key[0] in checked.values:
            target = (checked.spec.table, checked.spec.key[0])
            self._in_files[target] = checked.values[checked.spec.key[0]].dropna()

    def unknown(self, target: tuple[str, str], values: pd.Series) -> pd.Series:
        """Mask of the non-empty ``values`` that are neither imported nor stored."""
        in_file = self._in_files.get(target, pd.Series([], dtype=object))
        candidates = values.notna() & ~values.isin(in_file)
        wanted = values[candidates].unique().tolist()
        stored = self._stored(target, wanted)
        return candidates & ~values.isin(stored)

    def _stored(self, target: tuple[str, str], wanted: list[object]) -> list[object]:
        key: ColumnClause[object] = column(target[1])
        found: list[object] = []
        for start in range(0, len(wanted), IN_CHUNK):
            query = (
                select(key)
                .select_from(table(target[0]))
                .where(key.in_(wanted[start : start + IN_CHUNK]))
            )
            found.extend(self._conn.execute(query).scalars())
        return found


def check_references(checked: Checked, keys: KnownKeys, problems: Problems) -> None:
    """Report every reference of ``checked`` that resolves to nothing."""
    for col in checked.given:
        if col.ref is not None:
            missing = keys.unknown(col.ref, checked.values[col.name])
            checked.report(problems, col.name, f"unknown {col.ref[0]} {col.ref[1]}", missing)


def parents_first(checked: Checked, problems: Problems) -> np.ndarray:
    """Row positions ordered so that a row's parent (same table) is written before it."""
    ref = checked.spec.self_ref
    if ref is None or ref.name not in checked.values:
        return np.arange(len(checked.lines))
    ids = checked.values[checked.spec.key[0]]
    parents = checked.values[ref.name]
    depth = pd.Series(-1, index=ids.index)
    placed = parents.isna() | ~parents.isin(ids)
    depth[placed] = 0
    level = 0
    while not placed.all():
        level += 1
        ready = ~placed & parents.isin(ids[placed])
        if not ready.any():
            break
        depth[ready] = level
        placed |= ready
    checked.report(problems, ref.name, "reference cycle", ~placed)
    return np.argsort(depth.to_numpy(), kind="stable")
