from __future__ import annotations

from collections.abc import Iterator

import pytest
from builders_deals import (
    AS_OF,
    add_activity,
    add_preference,
    add_role,
    add_world,
    at,
    day,
    enter_stage,
    push_close_date,
)
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from crm.db import create_all, make_engine
from crm.models import Opportunity
from tools.context import ToolContext
from tools.deal_search import find_opportunity
from tools.deals import DealHealth, deal_health, deal_review
from tools.errors import NotFound


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        add_world(session)
        enter_stage(session, "O1", "Prospecting", 90)
        enter_stage(session, "O1", "Negotiation", 12)
        yield session


def ctx(session: Session, user: str = "rep1") -> ToolContext:
    return ToolContext.for_user(session, user, AS_OF)


def add_won_deals(session: Session) -> None:
    """Four won deals that spent 10, 20, 30 and 40 days in Negotiation (p75 = 32.5)."""
    for i, days in enumerate((10, 20, 30, 40)):
        oid = f"W{i}"
        session.add(
            Opportunity(
                id=oid, name=f"Won {i}", account_id="A2", owner_id="rep2",
                stage="Closed Won", amount_cents=100_000, created_at=at(300),
            )
        )  # fmt: skip
        session.flush()
        enter_stage(session, oid, "Negotiation", 200)
        enter_stage(session, oid, "Closed Won", 200 - days)


def items(health: DealHealth) -> dict[str, bool | None]:
    return {item.id: item.met for item in health.items}


def test_a_deal_meeting_every_item_scores_100(db: Session) -> None:
    add_won_deals(db)
    add_role(db, "N1", 30, "Maria", "decision_maker", contact_id="C2")
    add_role(db, "N2", 25, "Jonas", "champion", contact_id="C1")
    add_activity(db, "CALL", 5, kind="call", contact_id="C2", body="Budget approved.")
    add_activity(db, "MEET", 10, kind="meeting", contact_id="C1")
    add_activity(db, "MAIL", 20, kind="email", contact_id="C3")
    health = deal_health(ctx(db), opportunity_id="O1")
    assert all(items(health).values()), items(health)
    assert (health.score, health.points_met, health.points_assessable) == (100, 100, 100)
    by_id = {item.id: item for item in health.items}
    assert by_id["decision_maker_engaged"].evidence == ["N1", "CALL"]
    assert by_id["budget_discussed"].evidence == ["CALL"]
    assert by_id["stage_age_within_norm"].detail == (
        "11 days in Negotiation (won deals: p75 32.5 days)"
    )
    assert by_id["multi_threaded"].evidence == ["CALL", "MEET", "MAIL"]


def test_failed_items_lose_their_weight_and_unknown_ones_leave_the_denominator(
    db: Session,
) -> None:
    # No won deals: the stage norm is unknown (10 points), so 90 points are assessable.
    add_role(db, "N1", 50, "Maria", "decision_maker", contact_id="C2")
    add_activity(db, "CALL", 45, kind="call", contact_id="C2", body="They are evaluating "
                 "other vendors.")  # fmt: skip
    push_close_date(db, "O1", 60, day(-10), day(21))
    opp = db.get(Opportunity, "O1")
    assert opp is not None
    opp.next_step_date = day(-2)
    db.add(opp)
    db.flush()
    health = deal_health(ctx(db), opportunity_id="O1")
    assert items(health) == {
        "decision_maker_engaged": False,
        "champion_identified": False,
        "budget_discussed": False,
        "next_step_dated": False,
        "recent_two_way_activity": False,
        "stage_age_within_norm": None,
        "close_date_stable": True,
        "no_competitor_threat": False,
        "multi_threaded": False,
    }
    assert (health.points_met, health.points_assessable, health.score) == (10, 90, 11)
    by_id = {item.id: item for item in health.items}
    assert by_id["no_competitor_threat"].evidence == ["CALL"]
    assert by_id["decision_maker_engaged"].detail == (
        "decision maker Maria Berg not engaged in 30 days"
    )


def test_without_notes_the_note_based_items_are_unknown(db: Session) -> None:
    add_activity(db, "CALL", 3, kind="call", contact_id="C1")
    health = deal_health(ctx(db), opportunity_id="O1")
    unknown = [item.id for item in health.items if item.met is None]
    assert unknown == [
        "decision_maker_engaged",
        "champion_identified",
        "budget_discussed",
        "stage_age_within_norm",
        "no_competitor_threat",
    ]
    # met: next step 10 + recent activity 15 + close date 10; failed: multi-threaded 5
    assert (health.points_met, health.points_assessable, health.score) == (35, 40, 88)


def test_a_pricing_preference_counts_as_budget_discussed(db: Session) -> None:
    add_activity(db, "NOTE", 3, body="Nice chat about the weather.")
    add_preference(db, "P1", 20, "pricing", "wants annual billing")
    by_id = {i.id: i for i in deal_health(ctx(db), opportunity_id="O1").items}
    assert by_id["budget_discussed"].met is True
    assert by_id["budget_discussed"].evidence == ["P1"]


def test_close_date_is_unstable_when_passed_or_recently_pushed(db: Session) -> None:
    opp = db.get(Opportunity, "O1")
    assert opp is not None
    opp.close_date = day(-1)
    db.add(opp)
    db.flush()
    by_id = {i.id: i for i in deal_health(ctx(db), opportunity_id="O1").items}
    assert by_id["close_date_stable"].met is False
    assert by_id["close_date_stable"].detail == f"close date {day(-1)} has passed"
    opp.close_date = day(21)
    db.add(opp)
    push_close_date(db, "O1", 10, day(5), day(21))
    db.commit()  # a new transaction: cached pipeline frames see the new data
    by_id = {i.id: i for i in deal_health(ctx(db), opportunity_id="O1").items}
    assert by_id["close_date_stable"].met is False
    assert by_id["close_date_stable"].detail == "close date pushed 1 time(s), 1 in 30 days"


def test_a_rep_cannot_score_or_review_another_reps_deal(db: Session) -> None:
    with pytest.raises(NotFound, match="not found or not yours"):
        deal_health(ctx(db, "rep2"), opportunity_id="O1")
    with pytest.raises(NotFound):
        deal_review(ctx(db, "rep2"), opportunity_id="O1")


def test_review_gathers_facts_timeline_health_ranked_risks_committee_and_actions(
    db: Session,
) -> None:
    add_won_deals(db)
    add_role(db, "N1", 30, "Jonas", "champion", contact_id="C1")
    add_role(db, "N2", 20, "Eva", "blocker", contact_id="C4", influence="high")
    add_activity(db, "MEET", 4, kind="meeting", contact_id="C1", body="Sent the price quote.")
    review = deal_review(ctx(db, "mgr"), opportunity_id="O1")
    deal = review.deal
    assert (deal.name, deal.account_name, deal.owner_name) == ("Acme renewal", "Acme", "Rita Rep")
    assert (deal.stage, deal.outcome, deal.amount) == ("Negotiation", "open", 120000.0)
    assert (deal.days_to_close, deal.days_in_stage, deal.age_days) == (21, 11, 89)
    assert [v.stage for v in review.timeline] == ["Prospecting", "Negotiation"]
    assert [(r.code, r.severity) for r in review.risks] == [
        ("decision_maker_engaged", "high"),
        ("high_influence_blocker", "high"),
        ("multi_threaded", "low"),
    ]
    assert review.risks[1].evidence == ["N2"]
    # champion 15 + budget 10 + next step 10 + activity 15 + stage 10 + close 10 + competitor 5
    assert review.health.score == 75
    assert [m.name for m in review.committee] == ["Jonas Lindqvist", "Eva Holm"]
    rules = [a.rule_id for a in review.actions]
    assert rules[:2] == ["no_decision_maker_ask_champion", "high_influence_blocker"]
    blocks = review.as_slack_blocks()
    assert blocks[0]["text"]["text"] == "Deal review: Acme renewal"
    assert "*Amount*\n120,000 EUR" in [f["text"] for f in blocks[1]["fields"]]
    assert blocks[2]["text"]["text"].startswith("*Risks*\n• [high] no decision maker")
    assert blocks[3]["text"]["text"].count("•") == 2


def test_find_opportunity_matches_deal_and_account_names_in_scope_only(db: Session) -> None:
    db.add(
        Opportunity(
            id="O3", name="Renewal 2027", account_id="A1", owner_id="rep1", stage="Closed Lost",
            amount_cents=100, created_at=at(30),
        )
    )  # fmt: skip
    db.flush()
    result = find_opportunity(ctx(db), query="acme renewl")
    assert result.resolved_opportunity_id == "O1"
    assert result.candidates[0].amount == 120000.0
    assert find_opportunity(ctx(db), query="O3").candidates[0].score == 100.0
    assert find_opportunity(ctx(db, "rep2"), query="Acme renewal").candidates == []


@pytest.fixture(scope="module")
def demo() -> Iterator[Session]:
    """The demo world (scale 1) plus the facts a perfect extractor would write.

    A private copy: planting facts into the shared ``demo_world`` would change what other
    tests (the extractor's evaluation) see.
    """
    from benchmarks.deal_tools import plant_facts
    from crm.demo import build_demo

    eng = make_engine("sqlite://", poolclass=StaticPool)
    create_all(eng)
    build_demo(eng, scale=1, as_of=AS_OF)
    plant_facts(eng)
    with Session(eng) as session:
        yield session
    eng.dispose()


def test_on_the_demo_world_planted_missing_decision_makers_are_flagged(demo: Session) -> None:
    from sqlmodel import select

    from crm.models import DemoTruth
    from tools.actions import next_best_actions

    planted = demo.exec(
        select(DemoTruth.entity_id).where(DemoTruth.label == "missing_decision_maker")
    ).all()
    admin = ToolContext.for_user(demo, "admin01", AS_OF)
    verdicts = {
        oid: {i.id: i.met for i in deal_health(admin, opportunity_id=oid).items}[
            "decision_maker_engaged"
        ]
        for oid in planted
    }
    flagged = [oid for oid, met in verdicts.items() if met is False]
    for oid in flagged[:3]:
        rules = {a.rule_id for a in next_best_actions(admin, opportunity_id=oid).actions}
        assert {"no_decision_maker", "no_decision_maker_ask_champion"} & rules, oid
    verdicts_list = list(verdicts.values())
    assert len(planted) >= 10
    assert True not in verdicts_list
    assert len(flagged) >= 0.8 * len(verdicts_list)


@pytest.mark.parametrize(
    ("sentence", "competitor", "budget"),
    [
        ("They are also evaluating Vantage Analytics.", True, False),
        ("Orbital Data is the incumbent and they are comparing us against it.", True, False),
        ("Heard that Helio offered them a free pilot.", True, False),
        ("We offered them a free pilot.", False, False),
        ("Quantix came in about 20% cheaper, according to procurement.", True, False),
        ("Funding is confirmed and earmarked for the rollout.", False, True),
        ("They asked for a 10% discount on the annual price.", False, True),
        ("Great call about the rollout plan and training.", False, False),
    ],
)
def test_note_patterns_find_competitors_and_budget_talk(
    sentence: str, competitor: bool, budget: bool
) -> None:
    from tools.deal_checks import BUDGET_PATTERN, COMPETITOR_PATTERN

    assert bool(COMPETITOR_PATTERN.search(sentence)) is competitor
    assert bool(BUDGET_PATTERN.search(sentence)) is budget


def test_review_actions_equal_next_best_actions_on_the_deal_with_account_level_notes(
    db: Session,
) -> None:
    from tools.actions import next_best_actions

    add_role(db, "N1", 30, "Jonas", "champion", contact_id="C1")
    add_role(db, "N2", 20, "Eva", "blocker", contact_id="C4", influence="high",
             opportunity_id=None)  # fmt: skip
    review = deal_review(ctx(db), opportunity_id="O1")
    direct = next_best_actions(ctx(db), opportunity_id="O1").actions
    assert review.actions == direct
    blocker = next(a for a in direct if a.rule_id == "high_influence_blocker")
    assert "N2" in blocker.evidence
