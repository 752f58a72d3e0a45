"""Named periods ("this quarter", "Q3 2025", "last 90 days") turned into date bounds.

Every period is relative to the analysis date ``as_of`` and has inclusive bounds
``[start, end]`` (both dates). Calendar periods are whole: "this quarter" ends on the
quarter's last day even when that is after ``as_of`` (a forecast needs the deals that
close later in the quarter); "to date" periods (``ytd``, ``qtd``, ``mtd``) end on
``as_of``; rolling windows ("last 90 days") end on ``as_of`` and hold exactly N days.
The offline planner reuses :func:`parse_period` to read periods out of questions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tools.errors import InvalidArgument

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_UNIT_DAYS = {"day": 1, "week": 7}
_RELATIVE = {"this": 0, "current": 0, "last": -1, "previous": -1, "past": -1, "next": 1}
_ROLLING = re.compile(r"^(last|past|next)\s+(\d+)\s+(day|week|month)s?$")
_NAMED = re.compile(r"^(this|current|last|previous|next)\s+(month|quarter|year)$")
_QUARTER = re.compile(r"^q([1-4])(?:[\s/-]*(\d{4}))?$|^(\d{4})[\s/-]*q([1-4])$")
_MONTH = re.compile(r"^([a-z]+)(?:\s+(\d{4}))?$|^(\d{4})-(\d{2})$")
_TO_DATE = {"ytd": "year", "year to date": "year", "qtd": "quarter", "quarter to date": "quarter"}
_TO_DATE |= {"mtd": "month", "month to date": "month"}


@dataclass(frozen=True)
class Period:
    """A date range with inclusive bounds and the text it came from."""

    start: dt.date
    end: dt.date
    label: str

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` lies in the period."""
        return self.start <= day <= self.end


def parse_period(text: str, as_of: dt.date) -> Period:
    """Read ``text`` as a period relative to ``as_of``; raises InvalidArgument if unknown.

    Understood: ``this/last/next month|quarter|year``, ``ytd``/``qtd``/``mtd`` (and
    "year to date" ...), ``Q3``, ``Q3 2025``, ``2025-Q3``, ``2025``, ``March``,
    ``March 2025``, ``2025-03``, ``last|past|next N days|weeks|months``, ``today``.
    """
    key = " ".join(text.lower().strip().split())
    for parser in (_named, _to_date, _rolling, _quarter, _year, _month):
        bounds = parser(key, as_of)
        if bounds is not None:
            return Period(bounds[0], bounds[1], text.strip())
    raise InvalidArgument(
        f"unknown period {text!r}: try 'this quarter', 'Q3 2025', '2025', 'March', 'last 90 days'"
    )


def period_bounds(
    period: str | None, start: dt.date | None, end: dt.date | None, as_of: dt.date
) -> Period:
    """Explicit ``start``/``end`` win over ``period`` text; a missing bound stays open-ended."""
    if start is not None or end is not None:
        lo = start or dt.date.min
        hi = end or dt.date.max
        if hi < lo:
            raise InvalidArgument(f"the period ends ({hi}) before it starts ({lo})")
        return Period(lo, hi, f"{start or '…'} to {end or '…'}")
    if period is None:
        return Period(dt.date.min, dt.date.max, "all time")
    return parse_period(period, as_of)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a month."""
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar quarter (1-4)."""
    first_month = 3 * (quarter - 1) + 1
    return month_bounds(year, first_month)[0], month_bounds(year, first_month + 2)[1]


def _shift_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _calendar(unit: str, as_of: dt.date, offset: int) -> tuple[dt.date, dt.date]:
    if unit == "year":
        year = as_of.year + offset
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if unit == "quarter":
        year, month = _shift_months(as_of.year, as_of.month, 3 * offset)
        return quarter_bounds(year, (month - 1) // 3 + 1)
    return month_bounds(*_shift_months(as_of.year, as_of.month, offset))


def _named(key: str, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    if key == "today":
        return as_of, as_of
    match = _NAMED.match(key)
    return _calendar(match[2], as_of, _RELATIVE[match[1]]) if match else None


def _to_date(key: str, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    unit = _TO_DATE.get(key)
    return (_calendar(unit, as_of, 0)[0], as_of) if unit else None


def _rolling(key: str, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    match = _ROLLING.match(key)
    if not match:
        return None
    n, unit = int(match[2]), match[3]
    if n < 1:
        raise InvalidArgument(f"a rolling period needs at least one {unit}")
    if unit == "month":
        year, month = _shift_months(as_of.year, as_of.month, -n if match[1] != "next" else n)
        other = dt.date(year, month, min(as_of.day, month_bounds(year, month)[1].day))
        if match[1] == "next":
            return as_of + dt.timedelta(days=1), other
        return other + dt.timedelta(days=1), as_of
    days = n * _UNIT_DAYS[unit]
    if match[1] == "next":
        return as_of + dt.timedelta(days=1), as_of + dt.timedelta(days=days)
    return as_of - dt.timedelta(days=days - 1), as_of


def _quarter(key: str, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    match = _QUARTER.match(key)
    if not match:
        return None
    if match[1]:
        return quarter_bounds(int(match[2] or as_of.year), int(match[1]))
    return quarter_bounds(int(match[3]), int(match[4]))


def _year(key: str, _as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    if re.fullmatch(r"(?:fy\s*)?\d{4}", key):
        year = int(key[-4:])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return None


def _month(key: str, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    match = _MONTH.match(key)
    if not match:
        return None
    if match[3]:
        month = int(match[4])
        return month_bounds(int(match[3]), month) if 1 <= month <= 12 else None
    month = _MONTHS.get(match[1], 0)
    return month_bounds(int(match[2] or as_of.year), month) if month else None
