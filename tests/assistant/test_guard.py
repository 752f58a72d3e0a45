from __future__ import annotations

import pytest

from assistant.guard import figures_in, ungrounded

RESULT = {
    "revenue": 12345.4,
    "win_rate": 0.6318,
    "clv": 1234567.0,
    "accounts": [{"id": "A-17", "name": "Acme GmbH", "orders": 14}],
    "as_of": "2026-06-30",
}


@pytest.mark.parametrize(
    "text",
    [
        "Revenue was 12,345 this year.",
        "Revenue was €12,345.40.",
        "Revenue was 12.3k.",
        "Win rate 63.2%, or 63%.",
        "CLV is 1.2M (1,234,567).",
        "Acme GmbH (A-17) placed 14 orders as of 2026-06-30.",
        "1. Acme GmbH — 14 orders",
    ],
)
def test_figures_rendered_from_tool_results_are_grounded(text: str) -> None:
    assert ungrounded(text, [RESULT]) == []


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("Revenue was 13,000.", "13,000"),
        ("Win rate 70%.", "70%"),
        ("Acme placed 15 orders.", "15"),
        ("Renewal on 2026-07-15.", "2026-07-15"),
        ("CLV is 2.5M.", "2.5M"),
    ],
)
def test_an_invented_figure_is_reported(text: str, invented: str) -> None:
    assert ungrounded(text, [RESULT]) == [invented]


def test_numbers_from_the_question_and_arguments_count_as_evidence() -> None:
    assert ungrounded("Your top 5 accounts in 2017:", ["top 5 in 2017", {"limit": 5}]) == []


def test_identifiers_and_list_markers_are_not_figures() -> None:
    assert figures_in("2. Deal OPP-0042 with A-17") == []
