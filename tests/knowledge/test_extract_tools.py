"""The extraction catalog tools: scoped, dated, and in the catalog."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge.extract_tools import account_note_facts, extract_note
from tests.knowledge.builders_extract import build_world, ctx_for
from tools.catalog import load_catalog
from tools.errors import InvalidArgument, NotFound


@pytest.fixture
def world(engine: Engine) -> Iterator[Session]:
    build_world(engine)
    with Session(engine) as session:
        yield session


def test_extract_note_returns_the_people_and_preferences_of_a_visible_note(
    world: Session,
) -> None:
    facts = extract_note(ctx_for(world, "rep1"), activity_id="N1")
    assert (facts.activity_id, facts.account_id, facts.extractor) == ("N1", "A1", "offline")
    assert [(p.contact_id, p.role) for p in facts.contacts] == [
        ("C1", "decision_maker"),
        ("C2", "technical_evaluator"),
    ]
    assert [(p.category, p.value) for p in facts.preferences] == [("payment_terms", "net 60")]


def test_a_note_on_a_deal_is_read_through_the_deal_and_linked_to_its_account(
    world: Session,
) -> None:
    facts = extract_note(ctx_for(world, "rep1"), activity_id="N2")
    assert facts.account_id == "A1"
    assert [(p.contact_id, p.role) for p in facts.contacts] == [("C1", "unknown")]


@pytest.mark.parametrize(
    ("user", "note"),
    [("rep2", "N1"), ("rep2", "N2"), ("rep1", "N3"), ("rep1", "N4"), ("rep1", "T1"), ("rep1", "X")],
    ids=[
        "other-reps-account",
        "other-reps-deal",
        "mine-is-not-theirs",
        "after-as-of",
        "no-body",
        "missing",
    ],
)
def test_notes_out_of_scope_after_as_of_or_missing_are_not_found(
    world: Session, user: str, note: str
) -> None:
    with pytest.raises(NotFound, match="not found or not yours"):
        extract_note(ctx_for(world, user), activity_id=note)


def test_an_admin_reads_any_note(world: Session) -> None:
    assert extract_note(ctx_for(world, "boss"), activity_id="N3").contacts[0].role == (
        "decision_maker"
    )


def test_account_note_facts_lists_the_notes_that_state_something_newest_first(
    world: Session,
) -> None:
    facts = account_note_facts(ctx_for(world, "rep1"), account_id="A1")
    assert (facts.account_name, facts.notes_total, facts.notes_with_facts) == ("Northwind", 3, 2)
    assert [n.activity_id for n in facts.notes] == ["N2", "N1"]
    assert facts.note_ids == ["N5", "N2", "N1"]


def test_account_note_facts_sees_later_notes_once_the_date_has_passed(world: Session) -> None:
    facts = account_note_facts(ctx_for(world, "rep1", dt.date(2024, 8, 1)), account_id="A1")
    assert [n.activity_id for n in facts.notes] == ["N4", "N2", "N1"]
    assert facts.notes[0].contacts[0].role == "blocker"


def test_account_note_facts_keeps_other_reps_accounts_hidden(world: Session) -> None:
    with pytest.raises(NotFound):
        account_note_facts(ctx_for(world, "rep1"), account_id="A2")


def test_account_note_facts_limits_the_notes_returned(world: Session) -> None:
    facts = account_note_facts(ctx_for(world, "rep1"), account_id="A1", limit=1)
    assert [n.activity_id for n in facts.notes] == ["N2"]
    with pytest.raises(InvalidArgument):
        account_note_facts(ctx_for(world, "rep1"), account_id="A1", limit=0)


def test_both_tools_are_in_the_catalog_with_their_arguments() -> None:
    catalog = load_catalog()
    assert set(catalog["extract_note"].input_schema()["properties"]) == {"activity_id"}
    assert set(catalog["account_note_facts"].input_schema()["properties"]) == {
        "account_id",
        "limit",
    }
