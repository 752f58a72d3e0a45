"""Citations read off tool results: ids by field name, note passages with their text."""

from __future__ import annotations

import pytest

from assistant.answer import Citation, ToolCallRecord
from assistant.citations import citations_for, table_for


def record(result: dict[str, object] | None, error: str | None = None) -> ToolCallRecord:
    return ToolCallRecord(name="t", args={}, result=result, error=error, duration_ms=1.0)


@pytest.mark.parametrize(
    ("field", "table"),
    [
        ("account_id", "accounts"),
        ("resolved_account_id", "accounts"),
        ("won_opportunity_ids", "opportunities"),
        ("last_interaction_id", "activities"),
        ("note_ids", "activities"),
        ("owner_id", "users"),
        ("parent_id", "accounts"),
        ("rule_id", None),
        ("account", None),
    ],
)
def test_the_table_is_inferred_from_the_field_name(field: str, table: str | None) -> None:
    assert table_for(field) == table


def test_ids_are_cited_once_in_order_of_appearance() -> None:
    calls = [
        record({"account_id": "A1", "rows": [{"opportunity_ids": ["O1", "O2"]}]}),
        record({"accounts": [{"account_id": "A1"}, {"account_id": "A3"}], "rule_id": "r1"}),
    ]
    assert [(c.table, c.id) for c in citations_for(calls)] == [
        ("accounts", "A1"), ("opportunities", "O1"), ("opportunities", "O2"), ("accounts", "A3")
    ]  # fmt: skip


def test_a_note_passage_is_cited_with_its_text_even_if_also_cited_as_a_record() -> None:
    calls = [
        record({"note_ids": ["N1"]}),
        record({"passages": [{"note_id": "N1", "text": "Maria signs.", "account_id": None}]}),
    ]
    assert citations_for(calls) == [
        Citation(kind="note", table="activities", id="N1", text="Maria signs.")
    ]


def test_failed_calls_and_empty_ids_cite_nothing() -> None:
    assert citations_for([record(None, "not found"), record({"account_id": None})]) == []
