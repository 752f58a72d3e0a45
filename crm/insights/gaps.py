"""Weaknesses of a buying committee (no decision maker, single-threaded, ...)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from crm.insights.committee import CommitteeMember

GapCode = Literal["no_decision_maker", "no_champion", "high_influence_blocker", "single_threaded"]

ENGAGED_DAYS = 90
"""A contact counts as engaged when an activity with them happened in this many days."""


class CommitteeGap(BaseModel):
    """A weakness of a buying committee (feeds deal health and next-best-action)."""

    code: GapCode = Field(description="Which gap.")
    message: str = Field(description="The gap in words, e.g. 'no decision maker identified'.")
    contact_ids: list[str] = Field(description="Contacts behind the gap (e.g. the blocker).")
    evidence: list[str] = Field(description="Ids of the notes or activities behind the gap.")


def committee_gaps(members: list[CommitteeMember], *, before: dt.datetime) -> list[CommitteeGap]:
    """The gaps of a committee, in the order deal health weighs them.

    No decision maker, no champion, a high-influence blocker (role blocker or stance
    opposed, with high influence) and single-threading (at most one member with an
    activity in the last ``ENGAGED_DAYS`` days).
    """
    gaps = []
    roles = {m.role for m in members}
    if "decision_maker" not in roles:
        gaps.append(
            CommitteeGap(
                code="no_decision_maker",
                message="no decision maker identified",
                contact_ids=[],
                evidence=[],
            )
        )
    if "champion" not in roles:
        gaps.append(
            CommitteeGap(
                code="no_champion", message="no champion identified", contact_ids=[], evidence=[]
            )
        )
    blockers = [
        m
        for m in members
        if (m.role == "blocker" or m.stance == "opposed") and m.influence == "high"
    ]
    if blockers:
        gaps.append(
            CommitteeGap(
                code="high_influence_blocker",
                message="blocker with high influence: " + ", ".join(m.name for m in blockers),
                contact_ids=[m.contact_id for m in blockers if m.contact_id],
                evidence=[e.activity_id for m in blockers for e in m.evidence],
            )
        )
    since = before - dt.timedelta(days=ENGAGED_DAYS)
    engaged = [m for m in members if m.last_interaction and m.last_interaction >= since]
    if len(engaged) <= 1:
        gaps.append(
            CommitteeGap(
                code="single_threaded",
                message=f"single-threaded: {len(engaged)} contact(s) engaged lately",
                contact_ids=[m.contact_id for m in engaged if m.contact_id],
                evidence=[m.last_interaction_id for m in engaged if m.last_interaction_id],
            )
        )
    return gaps
