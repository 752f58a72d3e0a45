from __future__ import annotations

from collections.abc import Iterator

import pytest
from builders_deals import AS_OF, add_activity, add_role, add_world
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge.power_map import power_map, power_map_png
from tools.catalog import load_catalog
from tools.context import ToolContext
from tools.errors import InvalidArgument, NotFound


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        add_world(session)
        yield session


def ctx(session: Session, user: str = "rep1") -> ToolContext:
    return ToolContext.for_user(session, user, AS_OF)


def test_power_map_lists_every_contact_with_roles_from_notes_and_unknown_otherwise(
    db: Session,
) -> None:
    add_role(db, "N1", 20, "Jonas", "champion", contact_id="C1", stance="supportive")
    add_role(db, "N2", 10, "Eva", "blocker", contact_id="C4", influence="high")
    add_activity(db, "CALL1", 5, kind="call", contact_id="C1")
    result = power_map(ctx(db), opportunity_id="O1")
    assert result.account_name == "Acme"
    assert result.opportunity_name == "Acme renewal"
    assert [(m.name, m.title, m.role) for m in result.members] == [
        ("Jonas Lindqvist", "Head of Operations", "champion"),
        ("Eva Holm", "Procurement", "blocker"),
        ("Maria Berg", "CFO", "unknown"),
        ("Tom Eriksen", "IT Lead", "unknown"),
    ]
    assert result.members[0].last_interaction_id == "CALL1"
    assert [g.code for g in result.gaps] == [
        "no_decision_maker",
        "high_influence_blocker",
        "single_threaded",
    ]
    assert result.gaps[1].evidence == ["N2"]
    assert result.note_ids == ["N1", "N2"]
    assert result.note_count == 2


def test_power_map_of_another_reps_account_is_not_found(db: Session) -> None:
    add_role(db, "N1", 20, "Jonas", "champion", contact_id="C1")
    with pytest.raises(NotFound):
        power_map(ctx(db, "rep2"), account_id="A1")
    with pytest.raises(NotFound):
        power_map(ctx(db, "rep2"), opportunity_id="O1")


def test_the_manager_of_the_owner_sees_the_map(db: Session) -> None:
    add_role(db, "N1", 20, "Maria", "decision_maker", contact_id="C2")
    result = power_map(ctx(db, "mgr"), account_id="A1")
    assert result.members[0].role == "decision_maker"


def test_power_map_needs_exactly_one_id(db: Session) -> None:
    with pytest.raises(InvalidArgument):
        power_map(ctx(db))
    with pytest.raises(InvalidArgument):
        power_map(ctx(db), account_id="A1", opportunity_id="O1")


def test_power_map_is_in_the_catalog() -> None:
    assert "power_map" in load_catalog()


def test_power_map_renders_as_a_png_for_slack(db: Session) -> None:
    add_role(db, "N1", 20, "Jonas", "champion", contact_id="C1", stance="supportive")
    add_role(db, "N2", 10, "Eva", "blocker", contact_id="C4", influence="high")
    png = power_map_png(power_map(ctx(db), opportunity_id="O1"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5_000
