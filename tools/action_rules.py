"""The next-best-action rules, as data: teams tune this list, not the engine.

Each rule applies to a signals frame (one row per open deal, or per account; columns in
:mod:`tools.action_signals`) and says:

- ``when``: a vectorised condition selecting the rows that trigger it;
- ``impact``: a vectorised expression giving the money at stake per row;
- ``urgency``: a vectorised expression giving the days left to act (negatives count as 0);

Expressions are Python over the frame's columns (each a pandas Series): combine
conditions with ``&``, ``|`` and ``~`` and parenthesise comparisons, e.g.
``has_role_facts & ~has_decision_maker & (champion != '')``. Builtins are not available.
- ``weight``: how much the rule matters relative to the others;
- ``template``: the action sentence, ``str.format`` over the row's columns;
- ``group``: collapse every triggering row into one action (``{count}``, ``{s}``,
  ``{names}`` in the template; impact summed, urgency the minimum).

The engine (:mod:`tools.actions`) ranks actions by
``weight × impact / (1 + urgency / 30)``: money at stake, discounted by how long one
can wait. Deal impact is ``value_at_risk`` = amount × the stage's configured win
probability; account impact is the account's value (predicted CLV, or lifetime revenue
when no CLV model fits the caller's book).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Subject = Literal["deal", "account"]


@dataclass(frozen=True)
class ActionRule:
    """One declarative next-best-action rule (see the module docstring)."""

    id: str
    applies_to: Subject
    when: str
    impact: str
    urgency: str
    weight: float
    template: str
    description: str
    group: bool = False


RULES: tuple[ActionRule, ...] = (
    ActionRule(
        id="close_date_passed",
        applies_to="deal",
        when="close_date_passed",
        impact="value_at_risk",
        urgency="0",
        weight=1.0,
        group=True,
        template="Close date passed on {count} deal{s}: update or close them ({names})",
        description="Open deals whose close date is before the analysis date.",
    ),
    ActionRule(
        id="no_decision_maker_ask_champion",
        applies_to="deal",
        when="has_role_facts & ~has_decision_maker & (champion != '') & ~close_date_passed",
        impact="value_at_risk",
        urgency="days_to_close",
        weight=1.0,
        template="No decision maker on the {deal} ({amount_text}, closes in {days_to_close} "
        "days): ask the champion, {champion}, to introduce the budget owner",
        description="The notes name people on the deal but no decision maker; a champion "
        "is known and can open the door.",
    ),
    ActionRule(
        id="no_decision_maker",
        applies_to="deal",
        when="has_role_facts & ~has_decision_maker & (champion == '') & ~close_date_passed",
        impact="value_at_risk",
        urgency="days_to_close",
        weight=1.0,
        template="No decision maker on the {deal} ({amount_text}, closes in {days_to_close} "
        "days): ask {contact} who signs off and get a meeting with them",
        description="The notes name people on the deal but neither a decision maker nor a "
        "champion.",
    ),
    ActionRule(
        id="high_influence_blocker",
        applies_to="deal",
        when="(blocker != '') & ~close_date_passed",
        impact="value_at_risk",
        urgency="days_to_close",
        weight=0.9,
        template="{blocker} opposes us on the {deal} ({amount_text}) and has high influence: "
        "meet them to address their objections",
        description="A blocker (or opposed person) with high influence is on the committee.",
    ),
    ActionRule(
        id="no_champion",
        applies_to="deal",
        when="has_role_facts & has_decision_maker & ~has_champion & ~close_date_passed",
        impact="value_at_risk",
        urgency="days_to_close",
        weight=0.6,
        template="No champion on the {deal} ({amount_text}): find someone at {account} who "
        "will sell it internally",
        description="A decision maker is known but nobody advocates for us.",
    ),
    ActionRule(
        id="stalled",
        applies_to="deal",
        when="is_stalled & ~close_date_passed",
        impact="value_at_risk",
        urgency="days_to_close",
        weight=0.8,
        template="The {deal} ({amount_text}) is stalled, {stalled_reason}: agree a dated next "
        "step with {contact}{via}",
        description="Longer in its stage than 75% of won deals, or no activity for 30 days "
        "(tools.pipeline.open_deals_frame).",
    ),
    ActionRule(
        id="no_next_step",
        applies_to="deal",
        when="no_next_step & ~is_stalled & ~close_date_passed",
        impact="value_at_risk",
        urgency="days_to_close",
        weight=0.5,
        template="No dated next step on the {deal} ({amount_text}): book one with {contact}{via}",
        description="The deal has no next step, or its date has passed.",
    ),
    ActionRule(
        id="close_date_pushed",
        applies_to="deal",
        when="(close_date_pushes > 1) & ~close_date_passed",
        impact="value_at_risk",
        urgency="days_to_close",
        weight=0.5,
        template="The close date of the {deal} moved {close_date_pushes} times: confirm the "
        "real timeline with {contact}",
        description="The close date was pushed more than once.",
    ),
    ActionRule(
        id="at_risk_customer",
        applies_to="account",
        when="segment.isin(['At Risk', \"Can't Lose Them\"]) & (days_since_contact >= 30)",
        impact="value",
        urgency="90 - days_since_contact",
        weight=0.7,
        template="{account} is an {segment} customer worth {value_text} CLV with no contact "
        "in {days_since_contact} days: schedule a check-in{via}",
        description="A valuable customer is slipping away (RFM segment) and nobody called.",
    ),
)
