"""Vectorised conversion of CSV text columns into typed values, with the rows that fail.

Every parser takes a column of stripped strings (``""`` is empty) and returns the typed
values (missing where empty or invalid) plus ``(mask, reason)`` pairs for the bad rows.
Money is converted exactly: the digits are split at the decimal point and combined as
integers, never through a float.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm.importer.spec import Kind

_INT = r"[+-]?\d{1,18}"
_MONEY = r"(?P<sign>[+-]?)(?P<whole>\d{0,16})(?:\.(?P<frac>\d{0,2}))?"
_TOO_PRECISE = r"[+-]?\d*\.\d{3,}"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ].*)?"


@dataclass
class Parsed:
    """Typed values of one column and the masks of the rows that could not be parsed."""

    values: pd.Series
    errors: list[tuple[pd.Series, str]] = field(default_factory=list)


def parse_str(s: pd.Series) -> Parsed:
    """Text is taken as is."""
    return Parsed(s.where(s != "", None).astype(object))


def parse_int(s: pd.Series) -> Parsed:
    """Whole numbers (``42``, ``-3``); ``4.0`` and ``1e3`` are rejected."""
    present = s != ""
    ok = s.str.fullmatch(_INT).fillna(False).astype(bool)
    values = pd.Series(pd.NA, index=s.index, dtype="Int64")
    values[ok] = s[ok].astype("int64")
    return Parsed(values, [(present & ~ok, "not a whole number")])


def parse_float(s: pd.Series) -> Parsed:
    """Decimal numbers (``0.25``, ``1e-2``); ``nan`` and ``inf`` are rejected."""
    present = s != ""
    values = pd.to_numeric(s.where(present, None), errors="coerce").astype("float64")
    bad = present & ~np.isfinite(values.to_numpy())
    return Parsed(values.where(~bad), [(bad, "not a number")])


def parse_money(s: pd.Series) -> Parsed:
    """Currency units with at most two decimals (``1234.5``) into integer cents (123450)."""
    present = s != ""
    parts = s.str.extract(f"^{_MONEY}$")
    ok = (
        present
        & parts["whole"].notna()
        & ((parts["whole"] != "") | (parts["frac"].fillna("") != ""))
    )
    whole = parts["whole"].where(ok, "0").replace("", "0").astype("int64")
    frac = parts["frac"].fillna("").where(ok, "").str.ljust(2, "0").astype("int64")
    sign = np.where(parts["sign"] == "-", -1, 1)
    values = pd.Series((whole * 100 + frac) * sign, index=s.index).astype("Int64").where(ok)
    too_precise = present & ~ok & s.str.fullmatch(_TOO_PRECISE).fillna(False).astype(bool)
    return Parsed(
        values,
        [
            (too_precise, "more than 2 decimal places"),
            (present & ~ok & ~too_precise, "not an amount"),
        ],
    )


def _iso(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    present = s != ""
    shaped = s.str.fullmatch(_ISO_DATE).fillna(False).astype(bool)
    parsed = pd.to_datetime(s.where(shaped, None), format="ISO8601", utc=True, errors="coerce")
    return parsed, present & parsed.isna()


def parse_datetime(s: pd.Series) -> Parsed:
    """ISO-8601 timestamps to UTC: no offset means UTC, a bare date means midnight UTC."""
    parsed, bad = _iso(s)
    return Parsed(parsed, [(bad, "not an ISO-8601 date or datetime")])


def parse_date(s: pd.Series) -> Parsed:
    """ISO-8601 dates; a datetime counts as the calendar date written in it."""
    _, bad = _iso(s)
    day = pd.to_datetime(s.str.slice(0, 10).where(~bad & (s != ""), None), format="%Y-%m-%d")
    return Parsed(day, [(bad, "not an ISO-8601 date")])


PARSERS: dict[Kind, Callable[[pd.Series], Parsed]] = {
    "str": parse_str,
    "int": parse_int,
    "float": parse_float,
    "money": parse_money,
    "date": parse_date,
    "datetime": parse_datetime,
}


def to_python(values: pd.Series, kind: Kind) -> list[object]:
    """Plain Python values for the database driver (``None`` where missing)."""
    present = values.notna().to_numpy()
    if kind == "date":
        native = np.asarray(values.dt.date, dtype=object)
    elif kind == "datetime":
        native = np.asarray(values.dt.to_pydatetime(), dtype=object)
    else:
        native = values.astype(object).to_numpy()
    result: list[object] = np.where(present, native, np.array(None)).tolist()
    return result
