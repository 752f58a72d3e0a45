"""Chroma ``where`` filters evaluated in numpy, exactly as Chroma evaluates them.

Search applies a scope filter in numpy in two places: to a candidate pool returned by
Chroma (over the pool's metadata dicts, :func:`where_mask`) and to the whole index at
once (over the columns of a :class:`knowledge.scope_table.ScopeTable`). Both go
through :func:`columns_mask`, so the two agree with each other and with Chroma:
``$and`` of single-key conditions with ``$eq``, ``$in``, ``$lt``, ``$gte`` or ``$lte``
(what :func:`knowledge.search.note_filter` builds); a record missing the key fails the
condition; anything else raises :class:`UnsupportedFilter` (Chroma must apply it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]
Column = tuple[Mask, npt.NDArray[Any]]
"""Which records have the key, and their values (anything where the key is missing)."""

ColumnOf = Callable[[str, bool], Column]
"""``(key, numeric)`` to that key's :data:`Column`; ``numeric`` for range conditions."""

_COMPARE: dict[str, Callable[[npt.NDArray[Any], Any], Mask]] = {
    "$eq": lambda values, x: values == x,
    "$in": lambda values, x: np.isin(values, list(x)),
    "$lt": lambda values, x: values < x,
    "$gte": lambda values, x: values >= x,
    "$lte": lambda values, x: values <= x,
}


class UnsupportedFilter(ValueError):
    """A ``where`` filter this module cannot evaluate (Chroma must apply it)."""


def columns_mask(where: dict[str, Any], size: int, column_of: ColumnOf) -> Mask:
    """Which of ``size`` records satisfy ``where``, reading values through ``column_of``.

    ``column_of`` may raise :class:`UnsupportedFilter` for a key it does not hold.
    """
    if not where:
        return np.ones(size, dtype=bool)
    if set(where) == {"$and"}:
        masks = [columns_mask(part, size, column_of) for part in where["$and"]]
        both: Mask = np.logical_and.reduce([np.ones(size, dtype=bool), *masks])
        return both
    if len(where) != 1:
        raise UnsupportedFilter(f"cannot evaluate {where!r}")
    ((key, condition),) = where.items()
    if not isinstance(condition, dict) or len(condition) != 1 or key.startswith("$"):
        raise UnsupportedFilter(f"cannot evaluate {where!r}")
    ((op, value),) = condition.items()
    if op not in _COMPARE:
        raise UnsupportedFilter(f"cannot evaluate operator {op!r}")
    present, values = column_of(key, op not in ("$eq", "$in"))
    mask: Mask = present & np.asarray(_COMPARE[op](values, value), dtype=bool)
    return mask


def where_mask(where: dict[str, Any], metadatas: list[dict[str, Any]]) -> Mask:
    """Which ``metadatas`` (Chroma metadata dicts) satisfy the ``where`` filter."""

    def column_of(key: str, numeric: bool) -> Column:
        present = np.array([key in m for m in metadatas], dtype=bool)
        try:
            values = np.array(
                [m.get(key, 0) for m in metadatas], dtype=np.int64 if numeric else object
            )
        except (TypeError, ValueError) as exc:  # a non-numeric value under a range condition
            raise UnsupportedFilter(f"cannot compare {key!r} as a number") from exc
        return present, values

    return columns_mask(where, len(metadatas), column_of)
