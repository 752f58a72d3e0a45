"""Check one file's values column by column, in bulk.

Types, required values, enums, ranges, lengths and duplicate keys; references are
checked in :mod:`crm.importer.refs`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crm.importer.convert import PARSERS
from crm.importer.problems import Problems
from crm.importer.read import Source
from crm.importer.spec import ColumnSpec, TableSpec


@dataclass
class Checked:
    """One file's typed values (canonical name -> values, missing where empty)."""

    spec: TableSpec
    file: str
    lines: pd.Series
    text: pd.DataFrame
    values: dict[str, pd.Series]

    @property
    def given(self) -> list[ColumnSpec]:
        """The columns the file provides."""
        return [c for c in self.spec.columns if c.name in self.values]

    def report(
        self, problems: Problems, column: str, reason: str | pd.Series, mask: pd.Series
    ) -> None:
        """Record ``reason`` (one text, or one per row) for every row in ``mask``."""
        if mask.any():
            why = reason[mask] if isinstance(reason, pd.Series) else reason
            problems.add_rows(self.file, column, why, self.lines[mask], self.text[column][mask])


def check_source(source: Source, problems: Problems) -> Checked:
    """Parse and check every column of ``source``."""
    checked = Checked(source.spec, source.file, source.lines, source.frame, {})
    for column in source.spec.columns:
        if column.name in source.frame:
            checked.values[column.name] = _check_column(checked, column, problems)
    _check_duplicates(checked, list(source.spec.key), problems)
    for column in checked.given:
        if column.unique:
            _check_duplicates(checked, [column.name], problems)
    return checked


def _check_column(checked: Checked, column: ColumnSpec, problems: Problems) -> pd.Series:
    text = checked.text[column.name]
    parsed = PARSERS[column.kind](text)
    for mask, reason in parsed.errors:
        checked.report(problems, column.name, reason, mask)
    empty = text == ""
    if column.required:
        checked.report(problems, column.name, "required value missing", empty)
    if column.max_length is not None:
        too_long = text.str.len() > column.max_length
        checked.report(
            problems, column.name, f"longer than {column.max_length} characters", too_long
        )
    if column.enum is not None:
        unknown = ~empty & ~text.isin(column.enum)
        checked.report(problems, column.name, f"not one of {', '.join(column.enum)}", unknown)
    _check_range(checked, column, parsed.values, problems)
    return parsed.values


def _check_range(
    checked: Checked, column: ColumnSpec, values: pd.Series, problems: Problems
) -> None:
    if column.low is None and column.high is None:
        return
    low = float("-inf") if column.low is None else column.low
    high = float("inf") if column.high is None else column.high
    numbers = values.astype("float64")
    outside = numbers.notna() & ((numbers < low) | (numbers > high))
    if column.high is None:
        reason = f"must be at least {low:g}"
    else:
        reason = f"must be between {low:g} and {high:g}"
    checked.report(problems, column.name, reason, outside.fillna(False).astype(bool))


def _check_duplicates(checked: Checked, names: list[str], problems: Problems) -> None:
    if not all(n in checked.values for n in names):
        return
    keys = pd.DataFrame({n: checked.values[n] for n in names})
    complete = keys.notna().all(axis=1)
    repeated = keys.duplicated(keep="first") & complete
    if not repeated.any():
        return
    first = checked.lines.groupby([keys[n] for n in names], dropna=False).transform("min")
    label = "key" if len(names) > 1 else "value"
    reasons = f"duplicate {label} (first on line " + first.astype(str) + ")"
    checked.report(problems, names[-1], reasons, repeated)
