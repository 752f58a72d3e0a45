"""Entity matching of the offline planner against a caller's scoped vocabulary."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assistant.offline.entities import Entities, extract
from assistant.offline.vocab import vocabulary
from tools.context import ToolContext

AS_OF = dt.date(2026, 6, 30)


def entities(engine: Engine, caller: str, question: str) -> Entities:
    with Session(engine) as session:
        ctx = ToolContext.for_user(session, caller, AS_OF)
        return extract(question, vocabulary(ctx), AS_OF)


@pytest.mark.parametrize(
    "question",
    [
        "How is Lakeside Markets doing?",
        "how is lakesde markts doing",
        "HOW IS LAKESIDE MARKETS SAS",
    ],
)
def test_an_account_name_matches_despite_typos_and_case(demo_world: Engine, question: str) -> None:
    found = entities(demo_world, "rep01", question)
    assert found.account_id == "ACC-00010"
    assert "accountname" in found.masked


def test_the_first_words_of_a_long_name_are_enough(demo_world: Engine) -> None:
    found = entities(demo_world, "rep01", "review the Vertex Finance deal")
    assert found.account_id == "ACC-00067"  # Vertex Finance Co., Ltd. (Shanghai)


def test_two_equally_likely_accounts_are_both_kept_for_asking_back(demo_world: Engine) -> None:
    found = entities(demo_world, "rep01", "how is Evergreen Utilities doing")
    assert found.account is not None and found.account_id is None
    assert {n.id for n in found.account.names} == {"ACC-00056", "ACC-00057"}


def test_another_reps_account_is_recognised_but_never_resolved(demo_world: Engine) -> None:
    found = entities(demo_world, "rep01", "How is Fjord Power doing?")
    assert found.account is None
    assert found.foreign_account == "Fjord Power"


def test_periods_segments_groupings_and_top_n_are_read(demo_world: Engine) -> None:
    found = entities(demo_world, "mgr01", "top 5 at-risk customers by rep in Q3 2025")
    assert found.period is not None
    assert (found.period.start, found.period.end) == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert (found.segment, found.group_by, found.top_n) == ("At Risk", "rep", 5)


def test_reps_match_by_first_name_and_teams_by_their_short_name(demo_world: Engine) -> None:
    found = entities(demo_world, "mgr01", "pipeline for Julien in team north")
    assert found.user is not None and found.user.unique is not None
    assert found.user.unique.id == "rep01"
    assert found.team == "Team North"


def test_a_first_name_two_people_share_stays_ambiguous(demo_world: Engine) -> None:
    found = entities(demo_world, "mgr01", "pipeline for Laura")
    assert found.user is not None
    assert {n.id for n in found.user.names} == {"mgr01", "rep03"}


def test_contacts_products_and_ids_are_found(demo_world: Engine) -> None:
    question = "what did Claire Laurent say about the starter on OPP-00319"
    found = entities(demo_world, "rep01", question)
    assert found.contact is not None and found.contact.id == "CON-00033"
    assert found.product is not None and found.product.id == "PRD-STARTER"
    assert found.deal_ids == ["OPP-00319"]
