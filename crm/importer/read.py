"""Read one CSV file as text columns, keep each row's line number, apply the mapping."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crm.importer.mapping import FileMapping
from crm.importer.problems import Problem, Problems
from crm.importer.spec import TableSpec

_PARSER_LINE = re.compile(r"line (\d+)")


@dataclass
class Source:
    """The text of one canonical file: canonical columns only, stripped, with line numbers."""

    spec: TableSpec
    file: str
    frame: pd.DataFrame
    lines: pd.Series


def source_name(spec: TableSpec, mapping: FileMapping | None) -> str:
    """The file name to read for ``spec`` (the mapping may rename it)."""
    return mapping.file if mapping and mapping.file else spec.file


def read_source(
    path: Path,
    spec: TableSpec,
    mapping: FileMapping | None,
    problems: Problems,
    warnings: list[str],
) -> Source | None:
    """Read ``path`` into a :class:`Source`, or record why it cannot be read."""
    data = path.read_bytes()
    try:
        raw = pd.read_csv(
            io.BytesIO(data),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        found = _PARSER_LINE.search(str(exc))
        problems.add(Problem(path.name, int(found[1]) if found else 0, "-", f"unreadable: {exc}"))
        return None
    lines = _line_numbers(raw, data)
    raw.columns = [str(c).strip() for c in raw.columns]
    if mapping:
        raw, _ = mapping.rename(raw)
    frame = _canonical_columns(raw, spec, path.name, problems, warnings)
    frame = frame.apply(lambda s: s.str.strip())
    if mapping:
        frame = mapping.map_values(frame)
    filled = (frame != "").any(axis=1) if len(frame.columns) else pd.Series(False, frame.index)
    return Source(spec, path.name, frame[filled], lines[filled])


def _canonical_columns(
    raw: pd.DataFrame, spec: TableSpec, file: str, problems: Problems, warnings: list[str]
) -> pd.DataFrame:
    known = [c.name for c in spec.columns]
    extra = [c for c in raw.columns if c not in known]
    if extra:
        warnings.append(f"{file}: ignoring unknown column(s): {', '.join(extra)}")
    for column in spec.columns:
        if column.required and column.name not in raw.columns:
            problems.add(Problem(file, 1, column.name, "required column missing"))
    return raw[[c for c in known if c in raw.columns]]


def _line_numbers(raw: pd.DataFrame, data: bytes) -> pd.Series:
    """The file line on which each row starts (header is line 1).

    When no quoted value spans several lines this is ``index + 2``; otherwise the
    newlines inside the values of earlier rows are added.
    """
    physical = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    simple = pd.Series(raw.index + 2, index=raw.index)
    if physical == len(raw) + 1:
        return simple
    inside = sum((raw[c].str.count("\n") for c in raw.columns), pd.Series(0, index=raw.index))
    return simple + inside.cumsum().shift(fill_value=0)
