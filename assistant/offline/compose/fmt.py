"""Numbers for humans: €12.3k, €1.2M, 63%, 46 days — each renders back to a tool's figure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
MAX_ROWS = 5


def money(value: float | None, currency: str = "EUR") -> str:
    """``12345.0`` -> ``€12.3k``; ``950`` -> ``€950``; ``None`` -> ``n/a``."""
    if value is None:
        return "n/a"
    symbol = SYMBOLS.get(currency, currency + " ")
    sign = "-" if value < 0 else ""
    size = abs(value)
    if size >= 1e6:
        return f"{sign}{symbol}{size / 1e6:.1f}M"
    if size >= 1e3:
        return f"{sign}{symbol}{size / 1e3:.1f}k"
    return f"{sign}{symbol}{size:.0f}"


def pct(ratio: float | None) -> str:
    """``0.632`` -> ``63%``; ``None`` -> ``n/a``."""
    return "n/a" if ratio is None else f"{ratio * 100:.0f}%"


def num(value: float | None, decimals: int = 0) -> str:
    """A plain number with ``decimals`` places (``n/a`` when missing)."""
    return "n/a" if value is None else f"{value:,.{decimals}f}"


def count(n: int, noun: str) -> str:
    """``1, "deal"`` -> ``1 deal``; ``3, "deal"`` -> ``3 deals``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def days(value: float | None) -> str:
    """``45.6`` -> ``46 days``."""
    return "n/a" if value is None else f"{value:.0f} days"


def bullets(lines: Iterable[str]) -> str:
    """Markdown bullet lines."""
    return "\n".join(f"- {line}" for line in lines)


def top(rows: Sequence[Any], limit: int = MAX_ROWS) -> Sequence[Any]:
    """The first rows a short answer lists."""
    return rows[:limit]


def join(*parts: str | None) -> str:
    """Paragraphs, skipping empty ones."""
    return "\n\n".join(p for p in parts if p)
