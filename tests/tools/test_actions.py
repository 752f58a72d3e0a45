from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
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
)
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Opportunity
from tools.action_rules import RULES, ActionRule
from tools.actions import evaluate, next_best_actions
from tools.context import ToolContext
from tools.errors import NotFound


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        add_world(session)
        enter_stage(session, "O1", "Negotiation", 12)
        add_activity(session, "RECENT", 3, kind="call", contact_id="C1")
        yield session


def ctx(session: Session, user: str = "rep1") -> ToolContext:
    return ToolContext.for_user(session, user, AS_OF)


def add_deal(session: Session, oid: str, name: str, stage: str, cents: int, close: int) -> None:
    session.add(
        Opportunity(
            id=oid, name=name, account_id="A1", owner_id="rep1", stage=stage,
            amount_cents=cents, created_at=at(50), close_date=day(close),
        )
    )  # fmt: skip
    session.flush()


def test_no_decision_maker_with_a_champion_asks_the_champion_for_an_introduction(
    db: Session,
) -> None:
    add_role(db, "N1", 20, "Jonas", "champion", contact_id="C1")
    result = next_best_actions(ctx(db), opportunity_id="O1")
    (action,) = result.actions
    assert action.message == (
        "No decision maker on the Acme renewal (€120k, closes in 21 days): ask the champion, "
        "Jonas Lindqvist, to introduce the budget owner"
    )
    # value at risk = 120,000 × 0.75 (Negotiation); rank = 90,000 / (1 + 21/30)
    assert (action.impact, action.urgency_days, action.rank_score) == (90000.0, 21, 52941.18)
    assert action.evidence == ["O1", "N1"]
    assert action.figures["amount"] == 120000
    assert (result.target, result.deals_considered) == ("deal", 1)


def test_without_role_facts_no_committee_action_is_invented(db: Session) -> None:
    assert next_best_actions(ctx(db), opportunity_id="O1").actions == []


def test_close_dates_passed_on_several_deals_become_one_action_for_the_book(
    db: Session,
) -> None:
    add_deal(db, "O3", "Acme pilot", "Prospecting", 1_000_000, -5)
    add_deal(db, "O4", "Acme upsell", "Proposal", 2_000_000, -1)
    result = next_best_actions(ctx(db))
    assert result.target == "book"
    assert result.target_id == "rep1"
    passed = [a for a in result.actions if a.rule_id == "close_date_passed"]
    (action,) = passed
    assert action.message.startswith("Close date passed on 2 deals: update or close them (")
    assert sorted(action.opportunity_ids) == ["O3", "O4"]
    # 10,000 × 0.1 + 20,000 × 0.5, due now
    assert (action.impact, action.urgency_days, action.rank_score) == (11000.0, 0, 11000.0)


def test_the_preferred_channel_of_the_account_shapes_the_message(db: Session) -> None:
    add_preference(db, "P1", 40, "communication", "prefers WhatsApp")
    opp = db.get(Opportunity, "O1")
    assert opp is not None
    opp.next_step = None
    db.add(opp)
    db.flush()
    (action,) = next_best_actions(ctx(db), account_id="A1").actions
    assert action.rule_id == "no_next_step"
    assert action.message == (
        "No dated next step on the Acme renewal (€120k): book one with your contact at Acme "
        "(prefers WhatsApp)"
    )


def test_an_at_risk_customer_gets_a_check_in_worded_like_the_example() -> None:
    accounts = pd.DataFrame(
        {
            "account_id": ["A2"], "account": ["Brightline Foods"], "segment": ["At Risk"],
            "value": [40000.0], "value_text": ["€40k"], "days_since_contact": [63],
            "contact": ["your contact at Brightline Foods"], "via": [" (prefers WhatsApp)"],
            "evidence": [["A2"]],
        }
    )  # fmt: skip
    (action,), total = evaluate(RULES, {"account": accounts})
    assert action.message == (
        "Brightline Foods is an At Risk customer worth €40k CLV with no contact in 63 days: "
        "schedule a check-in (prefers WhatsApp)"
    )
    # urgency 90 - 63 = 27 days; rank 0.7 × 40,000 / (1 + 27/30) = 14,736.84
    assert (action.impact, action.urgency_days, action.rank_score) == (40000.0, 27, 14736.84)
    assert action.account_ids == ["A2"]
    assert total == 1


def test_recently_contacted_or_healthy_customers_trigger_nothing() -> None:
    accounts = pd.DataFrame(
        {
            "account_id": ["A2", "A3"], "account": ["B", "C"],
            "segment": ["At Risk", "Champions"], "value": [1.0, 1.0],
            "value_text": ["€1", "€1"], "days_since_contact": [29, 300],
            "contact": ["x", "y"], "via": ["", ""], "evidence": [["A2"], ["A3"]],
        }
    )  # fmt: skip
    assert evaluate(RULES, {"account": accounts}) == ([], 0)


def test_rules_are_data_and_rank_by_weighted_impact_discounted_by_urgency() -> None:
    rule = ActionRule(
        id="big", applies_to="deal", when="amount >= 20000", impact="amount",
        urgency="days_to_close", weight=1.0, template="Big deal: {deal}", description="big",
    )  # fmt: skip
    deals = pd.DataFrame(
        {
            "opportunity_id": ["X", "Y", "Z"], "account_id": ["A", "A", "A"],
            "deal": ["Far", "Near", "Small"], "amount": [30000.0, 20000.0, 5000.0],
            "days_to_close": [30, -4, 0], "evidence": [["X"], ["Y"], ["Z"]],
        }
    )  # fmt: skip
    actions, total = evaluate((rule,), {"deal": deals}, limit=2)
    assert total == 2
    # Far: 30,000 / (1 + 30/30) = 15,000; Near: urgency clipped to 0 -> 20,000
    assert [(a.message, a.rank_score) for a in actions] == [
        ("Big deal: Near", 20000.0),
        ("Big deal: Far", 15000.0),
    ]


def test_a_rep_gets_not_found_for_another_reps_deal_account_or_book(db: Session) -> None:
    with pytest.raises(NotFound):
        next_best_actions(ctx(db, "rep2"), opportunity_id="O1")
    with pytest.raises(NotFound):
        next_best_actions(ctx(db, "rep2"), account_id="A1")
    with pytest.raises(NotFound):
        next_best_actions(ctx(db, "rep2"), owner_id="rep1")


def test_a_manager_can_ask_for_a_reps_book(db: Session) -> None:
    add_role(db, "N1", 20, "Jonas", "champion", contact_id="C1")
    result = next_best_actions(ctx(db, "mgr"), owner_id="rep1", limit=1)
    assert result.target_id == "rep1"
    assert [a.rule_id for a in result.actions] == ["no_decision_maker_ask_champion"]
    assert result.total_actions == 1
