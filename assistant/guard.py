"""The number guard: every figure in an answer must come from this turn's tool calls.

A figure in the text is *grounded* when some number in the turn's evidence (tool
results, tool arguments, the question itself) renders to it under a human format:
plain or with thousands separators (12,345), rounded (12,345.6 -> 12,346 or
12,345.60), abbreviated (12.3k, 1.2M, 3bn), or as a percentage of a ratio (0.632 ->
63.2%). Dates and ISO timestamps are compared as text, and list markers ("1.") and
ordinals in prose are not figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_SCALES = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "bn": 1e9, "B": 1e9}
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b")
_FIGURE = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<scale>k|K|M|bn|B)\b|(?P<pct>\s?%))?",
)
_LIST_MARKER = re.compile(r"^\s*\d+[.)]\s", re.MULTILINE)
_IDENT = re.compile(r"\b[A-Za-z_]+[-_]?\d+[\w-]*\b")


@dataclass(frozen=True)
class Figure:
    """A number as written in the answer."""

    text: str
    value: float
    decimals: int
    scale: float
    percent: bool


def figures_in(text: str) -> list[Figure]:
    """The figures written in ``text`` (dates, ids and list markers excluded)."""
    text = _DATE.sub(" ", text)
    text = _LIST_MARKER.sub(" ", text)
    text = _IDENT.sub(" ", text)
    found = []
    for match in _FIGURE.finditer(text):
        raw = match.group("num")
        plain = raw.replace(",", "")
        decimals = len(plain.split(".", 1)[1]) if "." in plain else 0
        scale = _SCALES.get(match.group("scale") or "", 1.0)
        found.append(
            Figure(match.group(0).strip(), float(plain), decimals, scale, bool(match.group("pct")))
        )
    return found


def numbers_in(evidence: Any) -> set[float]:
    """Every number in a JSON-like structure, including numbers written inside strings."""
    out: set[float] = set()
    stack = [evidence]
    while stack:
        item = stack.pop()
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, int | float):
            if math.isfinite(item):
                out.add(float(item))
        elif isinstance(item, str):
            out.update(f.value * f.scale for f in figures_in(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return out


def _renders_to(number: float, fig: Figure) -> bool:
    candidates = [number]
    if fig.percent:
        candidates.append(number * 100)
    for cand in candidates:
        scaled = abs(cand) / fig.scale
        if math.isclose(round(scaled, fig.decimals), fig.value, rel_tol=0, abs_tol=1e-9):
            return True
        # "12,345" written for 12,345.4 rounds; also accept truncation of trailing zeros.
        if fig.decimals == 0 and math.isclose(scaled, fig.value, abs_tol=0.5 + 1e-9):
            return True
    return False


def ungrounded(text: str, evidence: Iterable[Any]) -> list[str]:
    """The figures of ``text`` that no number in ``evidence`` renders to."""
    items = list(evidence)
    known = numbers_in(items)
    dates = {d[:10] for item in items for d in _DATE.findall(str(item))}
    bad = [
        fig.text
        for fig in figures_in(text)
        if not any(_renders_to(number, fig) for number in known)
    ]
    bad += [d for d in _DATE.findall(text) if d[:10] not in dates]
    return bad
