"""The deal health checklist: what is gathered about one deal and the nine checks on it.

=========================  ======  ==============================================================
check                      weight  met when
=========================  ======  ==============================================================
decision_maker_engaged         20  a decision maker is named in the notes and had an activity
                                   in the last 30 days
champion_identified            15  the notes name a champion
budget_discussed               10  a pricing preference of the account, or a deal note that
                                   mentions budget, price, discount, quote or cost
next_step_dated                10  the deal has a next step dated as_of or later
recent_two_way_activity        15  a call, email or meeting with a contact in the last 14 days
stage_age_within_norm          10  days in the current stage <= p75 of won deals for the stage
close_date_stable              10  close date not passed, no push in the last 30 days and at
                                   most one push in all
no_competitor_threat            5  no deal note names a competitor (a mention is a risk)
multi_threaded                  5  >= 3 distinct contacts had an activity in the last 90 days
=========================  ======  ==============================================================

Unknown (``met`` is None): the two committee checks when no role fact exists for the
deal (the notes were not read yet or say nothing), the two note checks when the deal
has no note text, and the stage norm when no won deal passed through the stage. The
score is ``round(100 × points met / points assessable)``: unknown items count neither
way. A deal's notes are its own activities plus the account's activities tied to no deal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from crm.insights import CommitteeMember, deal_condition
from crm.models import Activity, CloseDateChange, Opportunity, PreferenceFact
from tools.context import ToolContext
from tools.pipeline import StageNorm
from tools.pipeline_data import fetch_frame

CheckId = Literal[
    "decision_maker_engaged",
    "champion_identified",
    "budget_discussed",
    "next_step_dated",
    "recent_two_way_activity",
    "stage_age_within_norm",
    "close_date_stable",
    "no_competitor_threat",
    "multi_threaded",
]
TWO_WAY_KINDS = ("call", "email", "meeting")
BUDGET_PATTERN = re.compile(
    r"\b(?:[Bb]udget|[Pp]ricing|price[sd]?|[Dd]iscount|[Qq]uot(?:e|ation)|[Cc]ost|[Ff]unding|"
    r"[Ff]unded|financing|earmarked|[Ss]pend|ROI)s?\b"
)
"""Budget talk; case-sensitive where a capital means a name or title ("Megan Price",
"Head of Finance")."""
COMPETITOR_NAMES: tuple[str, ...] = ()
"""Names of known competitors; teams list theirs here (matched as whole words)."""
COMPETITOR_PATTERN = re.compile(
    r"\b(?:competitors?|competing (?:offer|vendor|bid)s?|alternative vendors?|other vendors?|"
    r"(?:also )?evaluating (?:other|alternative)s?|also (?:evaluating|talking to|looking at)|"
    r"rival offers?|incumbent|comparing us|(?<!we )offered them|came in [^.]{0,30}cheaper|"
    r"cheaper (?:offer|quote|bid)s?"
    + "".join(f"|{re.escape(name)}" for name in COMPETITOR_NAMES)
    + r")\b",
    re.I,
)


class CheckItem(BaseModel):
    """One item of the deal health checklist."""

    id: CheckId = Field(description="Which check.")
    label: str = Field(description="The check in words.")
    weight: int = Field(description="Points the check is worth (weights sum to 100).")
    met: bool | None = Field(description="True, false, or null when it cannot be assessed.")
    detail: str = Field(description="Why, in words.")
    evidence: list[str] = Field(description="Ids of the records behind the verdict.")


@dataclass(frozen=True)
class DealFacts:
    """Everything the checks read about one deal, gathered up front."""

    opp: Opportunity
    stage: str
    days_in_stage: int
    close_date: dt.date | None
    is_open: bool
    norm: StageNorm | None
    committee: list[CommitteeMember]
    role_facts: pd.DataFrame
    activities: pd.DataFrame
    pushes: pd.DataFrame
    pricing_fact_ids: list[str]
    end: dt.datetime


Verdict = tuple[bool | None, str, list[str]]


def deal_activities(ctx: ToolContext, opp: Opportunity) -> pd.DataFrame:
    """The deal's activities before as_of_end (its own and its account's unassigned ones)."""
    stmt = sa_select(
        col(Activity.id), col(Activity.kind), col(Activity.contact_id),
        col(Activity.occurred_at), col(Activity.subject), col(Activity.body),
    ).where(
        deal_condition(Activity, opp.id, opp.account_id),
        col(Activity.occurred_at) < ctx.as_of_end,
    )  # fmt: skip
    frame = fetch_frame(ctx, stmt)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    frame["text"] = frame["subject"].fillna("") + " " + frame["body"].fillna("")
    return frame.sort_values("occurred_at", ascending=False)


def close_date_pushes(ctx: ToolContext, opportunity_id: str) -> pd.DataFrame:
    """The deal's close-date pushes (a later new date) before as_of_end: id, changed_at."""
    rows = ctx.session.exec(
        select(CloseDateChange.id, CloseDateChange.changed_at).where(
            col(CloseDateChange.opportunity_id) == opportunity_id,
            col(CloseDateChange.changed_at) < ctx.as_of_end,
            col(CloseDateChange.new_close_date) > col(CloseDateChange.previous_close_date),
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["id", "changed_at"])
    frame["changed_at"] = pd.to_datetime(frame["changed_at"], utc=True)
    return frame


def pricing_fact_ids(ctx: ToolContext, account_id: str | None) -> list[str]:
    """Notes of the account stating a pricing preference before as_of_end."""
    if account_id is None:
        return []
    ids = ctx.session.exec(
        select(PreferenceFact.activity_id).where(
            col(PreferenceFact.account_id) == account_id,
            col(PreferenceFact.category) == "pricing",
            col(PreferenceFact.occurred_at) < ctx.as_of_end,
        )
    ).all()
    return sorted(set(ids))


def _since(facts: DealFacts, days: int) -> pd.DataFrame:
    acts = facts.activities
    return acts[acts["occurred_at"] >= facts.end - dt.timedelta(days=days)]


def _role_check(facts: DealFacts, role: str) -> tuple[list[CommitteeMember], Verdict | None]:
    if not facts.committee:
        return [], (None, "no role facts extracted from this deal's notes yet", [])
    found = [m for m in facts.committee if m.role == role]
    if not found:
        return [], (False, f"no {role.replace('_', ' ')} identified in the notes", [])
    return found, None


def check_decision_maker(facts: DealFacts) -> Verdict:
    """Decision maker named and engaged in the last 30 days."""
    found, verdict = _role_check(facts, "decision_maker")
    if verdict:
        return verdict
    since = facts.end - dt.timedelta(days=30)
    engaged = [m for m in found if m.last_interaction and m.last_interaction >= since]
    notes = [e.activity_id for m in found for e in m.evidence]
    names = ", ".join(m.name for m in found)
    if not engaged:
        return False, f"decision maker {names} not engaged in 30 days", notes
    touch = [str(m.last_interaction_id) for m in engaged]
    return True, f"decision maker {names} engaged in the last 30 days", notes + touch


def check_champion(facts: DealFacts) -> Verdict:
    """A champion is named in the notes."""
    found, verdict = _role_check(facts, "champion")
    if verdict:
        return verdict
    notes = [e.activity_id for m in found for e in m.evidence]
    return True, "champion: " + ", ".join(m.name for m in found), notes


def _text_matches(facts: DealFacts, pattern: re.Pattern[str]) -> tuple[bool, list[str]]:
    acts = facts.activities
    has_text = bool(acts["text"].str.strip().ne("").any())
    hits = acts[acts["text"].str.contains(pattern)]["id"].tolist() if has_text else []
    return has_text, [str(h) for h in hits]


def check_budget(facts: DealFacts) -> Verdict:
    """Pricing preference facts, or notes mentioning budget/price/discount/quote/cost."""
    has_text, hits = _text_matches(facts, BUDGET_PATTERN)
    evidence = facts.pricing_fact_ids + hits
    if evidence:
        return True, f"pricing discussed in {len(set(evidence))} note(s)", evidence
    if not has_text:
        return None, "the deal has no notes to read", []
    return False, "no note mentions budget, price or discount", []


def check_next_step(facts: DealFacts) -> Verdict:
    """A next step with a date today or later."""
    opp = facts.opp
    today = facts.end.date() - dt.timedelta(days=1)
    if opp.next_step and opp.next_step_date and opp.next_step_date >= today:
        return True, f"next step '{opp.next_step}' on {opp.next_step_date}", [opp.id]
    if opp.next_step and opp.next_step_date:
        return False, f"next step date {opp.next_step_date} has passed", [opp.id]
    return False, "no dated next step", [opp.id]


def check_recent_activity(facts: DealFacts) -> Verdict:
    """A call, email or meeting with a contact in the last 14 days."""
    recent = _since(facts, 14)
    hits = recent[recent["kind"].isin(TWO_WAY_KINDS) & recent["contact_id"].notna()]
    if hits.empty:
        return False, "no call, email or meeting with a contact in 14 days", []
    return True, f"{len(hits)} two-way activities in 14 days", hits["id"].astype(str).tolist()


def check_stage_age(facts: DealFacts) -> Verdict:
    """Days in the current stage within the p75 of won deals."""
    if facts.norm is None:
        return None, f"no won deal passed through {facts.stage} yet", []
    p75 = facts.norm.p75_days
    detail = f"{facts.days_in_stage} days in {facts.stage} (won deals: p75 {p75:g} days)"
    return facts.days_in_stage <= p75, detail, [facts.opp.id]


def check_close_date(facts: DealFacts) -> Verdict:
    """Close date not passed, not pushed in 30 days, pushed at most once."""
    pushes = facts.pushes
    ids = pushes["id"].astype(str).tolist()
    recent = int((pushes["changed_at"] >= facts.end - dt.timedelta(days=30)).sum())
    today = facts.end.date() - dt.timedelta(days=1)
    if facts.is_open and facts.close_date and facts.close_date < today:
        return False, f"close date {facts.close_date} has passed", [facts.opp.id, *ids]
    if recent or len(pushes) > 1:
        return False, f"close date pushed {len(pushes)} time(s), {recent} in 30 days", ids
    return True, f"close date pushed {len(pushes)} time(s)", ids


def check_competitor(facts: DealFacts) -> Verdict:
    """No note names a competitor."""
    has_text, hits = _text_matches(facts, COMPETITOR_PATTERN)
    if hits:
        return False, f"a competitor is mentioned in {len(hits)} note(s)", hits
    if not has_text:
        return None, "the deal has no notes to read", []
    return True, "no competitor mentioned in the notes", []


def check_multi_threaded(facts: DealFacts) -> Verdict:
    """At least three contacts engaged in the last 90 days."""
    recent = _since(facts, 90).dropna(subset=["contact_id"])
    latest = recent.drop_duplicates("contact_id")
    n = len(latest)
    return n >= 3, f"{n} contact(s) engaged in 90 days", latest["id"].astype(str).tolist()


CHECKLIST: tuple[tuple[CheckId, str, int, Callable[[DealFacts], Verdict]], ...] = (
    ("decision_maker_engaged", "Decision maker identified and engaged", 20, check_decision_maker),
    ("champion_identified", "Champion identified", 15, check_champion),
    ("budget_discussed", "Budget or pricing discussed", 10, check_budget),
    ("next_step_dated", "Next step set and dated", 10, check_next_step),
    ("recent_two_way_activity", "Two-way activity in the last 14 days", 15, check_recent_activity),
    ("stage_age_within_norm", "Time in stage within the won-deal norm", 10, check_stage_age),
    ("close_date_stable", "Close date stable", 10, check_close_date),
    ("no_competitor_threat", "No competitor mentioned", 5, check_competitor),
    ("multi_threaded", "Three or more contacts engaged", 5, check_multi_threaded),
)


def run_checklist(facts: DealFacts) -> list[CheckItem]:
    """Every check of :data:`CHECKLIST` on one deal."""
    items = []
    for check_id, label, weight, check in CHECKLIST:
        met, detail, evidence = check(facts)
        evidence = list(dict.fromkeys(evidence))
        items.append(
            CheckItem(id=check_id, label=label, weight=weight, met=met, detail=detail,
                      evidence=evidence)
        )  # fmt: skip
    return items


def score(items: list[CheckItem]) -> tuple[int, int, int]:
    """(score 0-100, points met, points assessable); unknown items count neither way."""
    assessable = sum(i.weight for i in items if i.met is not None)
    earned = sum(i.weight for i in items if i.met)
    return (round(100 * earned / assessable) if assessable else 0), earned, assessable
