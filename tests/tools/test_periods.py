from __future__ import annotations

import datetime as dt

import pytest

from tools.errors import InvalidArgument
from tools.periods import parse_period, period_bounds

AS_OF = dt.date(2026, 5, 14)
D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("this quarter", D(2026, 4, 1), D(2026, 6, 30)),
        ("last quarter", D(2026, 1, 1), D(2026, 3, 31)),
        ("next quarter", D(2026, 7, 1), D(2026, 9, 30)),
        ("This  Month", D(2026, 5, 1), D(2026, 5, 31)),
        ("last month", D(2026, 4, 1), D(2026, 4, 30)),
        ("last year", D(2025, 1, 1), D(2025, 12, 31)),
        ("ytd", D(2026, 1, 1), AS_OF),
        ("quarter to date", D(2026, 4, 1), AS_OF),
        ("Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("Q4 2025", D(2025, 10, 1), D(2025, 12, 31)),
        ("2025-Q1", D(2025, 1, 1), D(2025, 3, 31)),
        ("2025", D(2025, 1, 1), D(2025, 12, 31)),
        ("FY2024", D(2024, 1, 1), D(2024, 12, 31)),
        ("March", D(2026, 3, 1), D(2026, 3, 31)),
        ("feb 2024", D(2024, 2, 1), D(2024, 2, 29)),
        ("2025-12", D(2025, 12, 1), D(2025, 12, 31)),
        ("last 90 days", D(2026, 2, 14), AS_OF),
        ("past 2 weeks", D(2026, 5, 1), AS_OF),
        ("next 30 days", D(2026, 5, 15), D(2026, 6, 13)),
        ("last 3 months", D(2026, 2, 15), AS_OF),
        ("today", AS_OF, AS_OF),
    ],
)
def test_named_periods_resolve_relative_to_as_of(text: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(text, AS_OF)
    assert (period.start, period.end) == (start, end)


def test_last_90_days_holds_exactly_90_days() -> None:
    period = parse_period("last 90 days", AS_OF)
    assert (period.end - period.start).days + 1 == 90


def test_the_quarter_after_q4_rolls_into_next_year() -> None:
    period = parse_period("next quarter", D(2026, 11, 2))
    assert (period.start, period.end) == (D(2027, 1, 1), D(2027, 3, 31))


def test_unknown_text_is_an_invalid_argument() -> None:
    for text in ("someday", "Q5", "2025-13", "last 0 days"):
        with pytest.raises(InvalidArgument):
            parse_period(text, AS_OF)


def test_explicit_dates_win_and_must_be_ordered() -> None:
    period = period_bounds("this quarter", D(2026, 1, 1), None, AS_OF)
    assert (period.start, period.end) == (D(2026, 1, 1), dt.date.max)
    with pytest.raises(InvalidArgument):
        period_bounds(None, D(2026, 2, 1), D(2026, 1, 1), AS_OF)
