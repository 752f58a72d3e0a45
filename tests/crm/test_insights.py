from __future__ import annotations

from collections.abc import Iterator

import pytest
from builders_deals import END, add_activity, add_preference, add_role, add_world, at
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.insights import (
    CommitteeMember,
    account_preferences,
    buying_committee,
    committee_gaps,
    with_silent_contacts,
)
from crm.models import Opportunity
from crm.scope import scope_for


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        add_world(session)
        yield session


def test_three_champion_notes_outvote_one_newer_blocker_note_kept_as_conflict(
    db: Session,
) -> None:
    # weights 0.5**(d/180): 30, 20, 10 days -> 0.891 + 0.926 + 0.962 = 2.78 > 0.981 (5 days)
    for i, days in enumerate((30, 20, 10)):
        add_role(db, f"N{i}", days, "Jonas", "champion", contact_id="C1", stance="supportive")
    add_role(db, "N9", 5, "Jonas", "blocker", contact_id="C1", stance="opposed")
    (jonas,) = buying_committee(db, opportunity_id="O1", before=END)
    assert jonas.name == "Jonas Lindqvist"
    assert jonas.title == "Head of Operations"
    assert jonas.role == "champion"
    assert jonas.stance == "supportive"
    assert jonas.notes == 4
    assert [e.activity_id for e in jonas.evidence] == ["N2", "N1", "N0"]
    assert [(c.value, c.notes) for c in jonas.conflicts] == [("blocker", 1)]
    assert jonas.conflicts[0].evidence[0].activity_id == "N9"


def test_with_one_note_each_the_newer_role_wins(db: Session) -> None:
    add_role(db, "N1", 100, "Maria", "influencer", contact_id="C2")
    add_role(db, "N2", 10, "Maria", "decision_maker", contact_id="C2")
    (maria,) = buying_committee(db, account_id="A1", before=END)
    assert maria.role == "decision_maker"
    assert [c.value for c in maria.conflicts] == ["influencer"]


def test_unknown_mentions_never_outvote_a_stated_role(db: Session) -> None:
    for i in range(3):
        add_role(db, f"U{i}", 5 + i, "Tom", "unknown", contact_id="C3")
    add_role(db, "T1", 200, "Tom", "technical_evaluator", contact_id="C3")
    (tom,) = buying_committee(db, account_id="A1", before=END)
    assert tom.role == "technical_evaluator"
    assert tom.notes == 4


def test_facts_from_notes_at_or_after_before_do_not_exist(db: Session) -> None:
    add_role(db, "N1", 10, "Maria", "decision_maker", contact_id="C2")
    assert buying_committee(db, account_id="A1", before=at(10)) == []
    assert len(buying_committee(db, account_id="A1", before=at(9))) == 1


def test_a_deal_sees_its_own_and_account_level_notes_but_not_other_deals(db: Session) -> None:
    add_role(db, "N1", 10, "Maria", "decision_maker", contact_id="C2")
    add_role(db, "N2", 10, "Eva", "gatekeeper", contact_id="C4", opportunity_id=None)
    db.add(
        Opportunity(
            id="O3", name="Acme pilot", account_id="A1", owner_id="rep1",
            stage="Prospecting", created_at=at(30),
        )
    )  # fmt: skip
    db.flush()
    add_role(db, "N3", 10, "Tom", "blocker", contact_id="C3", opportunity_id="O3")
    names = {m.name for m in buying_committee(db, opportunity_id="O1", before=END)}
    assert names == {"Maria Berg", "Eva Holm"}
    assert len(buying_committee(db, account_id="A1", before=END)) == 3


def test_committee_lists_decision_makers_first_and_people_without_contact_by_name(
    db: Session,
) -> None:
    add_role(db, "N1", 10, "Jonas", "champion", contact_id="C1")
    add_role(db, "N1", 10, "Peter Nyberg", "influencer")
    add_role(db, "N2", 8, "peter nyberg ", "influencer")
    add_role(db, "N2", 8, "Maria", "decision_maker", contact_id="C2")
    members = buying_committee(db, opportunity_id="O1", before=END)
    assert [(m.name, m.role, m.notes) for m in members] == [
        ("Maria Berg", "decision_maker", 1),
        ("Jonas Lindqvist", "champion", 1),
        ("Peter Nyberg", "influencer", 2),
    ]
    assert members[2].contact_id is None


def test_last_interaction_is_the_latest_activity_with_the_contact_before_the_cutoff(
    db: Session,
) -> None:
    add_role(db, "N1", 40, "Jonas", "champion", contact_id="C1")
    add_activity(db, "CALL1", 20, kind="call", contact_id="C1")
    add_activity(db, "MEET1", 12, kind="meeting", contact_id="C1")
    add_activity(db, "LATER", 0.5, kind="call", contact_id="C1")
    (jonas,) = buying_committee(db, opportunity_id="O1", before=at(1))
    assert jonas.last_interaction_id == "MEET1"
    assert jonas.last_interaction == at(12)


def test_owner_filter_hides_facts_of_accounts_the_caller_cannot_see(db: Session) -> None:
    add_role(db, "N1", 10, "Maria", "decision_maker", contact_id="C2")
    rep2 = scope_for(db, "rep2")
    rep1 = scope_for(db, "rep1")
    assert buying_committee(db, account_id="A1", before=END, owner_filter=rep2.owner_filter) == []
    assert len(buying_committee(db, account_id="A1", before=END, owner_filter=rep1.owner_filter))


def test_silent_contacts_join_the_committee_as_unknown(db: Session) -> None:
    add_role(db, "N1", 10, "Maria", "decision_maker", contact_id="C2")
    add_activity(db, "CALL1", 3, kind="call", contact_id="C3")
    members = buying_committee(db, account_id="A1", before=END)
    members = with_silent_contacts(db, members, account_id="A1", before=END)
    assert [(m.name, m.role) for m in members] == [
        ("Maria Berg", "decision_maker"),
        ("Eva Holm", "unknown"),
        ("Jonas Lindqvist", "unknown"),
        ("Tom Eriksen", "unknown"),
    ]
    assert members[3].last_interaction_id == "CALL1"


def test_one_value_preferences_keep_losing_values_as_conflicts(db: Session) -> None:
    add_preference(db, "P1", 60, "communication", "prefers WhatsApp")
    add_preference(db, "P2", 50, "communication", "Prefers WhatsApp ")
    add_preference(db, "P3", 40, "communication", "prefers email")
    add_preference(db, "P3", 40, "product", "needs SSO")
    add_preference(db, "P4", 30, "product", "wants an API")
    prefs = {p.category: p for p in account_preferences(db, account_id="A1", before=END)}
    comm = prefs["communication"]
    assert comm.value == "prefers WhatsApp"
    assert comm.notes == 2
    assert [e.activity_id for e in comm.evidence] == ["P2", "P1"]
    assert [(c.value, c.notes) for c in comm.conflicts] == [("prefers email", 1)]
    product = prefs["product"]
    assert product.values == ["wants an API", "needs SSO"]
    assert product.conflicts == []


def test_contact_preferences_are_only_that_contacts(db: Session) -> None:
    add_preference(db, "P1", 60, "communication", "prefers WhatsApp", contact_id="C1")
    add_preference(db, "P2", 50, "communication", "prefers email", contact_id="C2")
    (pref,) = account_preferences(db, account_id="A1", contact_id="C2", before=END)
    assert pref.value == "prefers email"


def _member(role: str, *, days: float | None, stance: str | None = None,
            influence: str | None = None, cid: str = "C1") -> CommitteeMember:  # fmt: skip
    return CommitteeMember(
        contact_id=cid, name=cid, role=role, stance=stance, influence=influence, notes=1,
        last_interaction=None if days is None else at(days), last_interaction_id="A" + cid,
        evidence=[], conflicts=[],
    )  # fmt: skip


def test_gaps_name_missing_roles_a_high_influence_blocker_and_single_threading() -> None:
    members = [
        _member("blocker", days=10, influence="high", cid="C1"),
        _member("user", days=100, stance="opposed", influence="medium", cid="C2"),
    ]
    gaps = committee_gaps(members, before=END)
    assert [g.code for g in gaps] == [
        "no_decision_maker",
        "no_champion",
        "high_influence_blocker",
        "single_threaded",
    ]
    assert gaps[2].contact_ids == ["C1"]
    assert gaps[3].contact_ids == ["C1"]


def test_a_committee_with_two_engaged_members_and_both_key_roles_has_no_gaps() -> None:
    members = [
        _member("decision_maker", days=89, cid="C1"),
        _member("champion", days=1, stance="opposed", influence="low", cid="C2"),
    ]
    assert committee_gaps(members, before=END) == []
