"""The buying committee of an account or deal: role facts merged per person."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from crm.insights.facts import OwnerFilter, last_interactions, role_facts
from crm.insights.votes import (
    Conflict,
    Evidence,
    as_datetime,
    as_text,
    conflicts_of,
    evidence_of,
    vote,
)
from crm.models import Contact

ROLE_ORDER = (
    "decision_maker",
    "champion",
    "blocker",
    "influencer",
    "technical_evaluator",
    "gatekeeper",
    "user",
    "unknown",
)
"""Committee members are listed in this role order, then by weight of evidence."""


class CommitteeMember(BaseModel):
    """A person in a buying committee, with the merged reading of the notes about them."""

    contact_id: str | None = Field(description="CRM contact id, if the person is a contact.")
    name: str = Field(description="The contact's name, or the name as written in the notes.")
    title: str | None = Field(default=None, description="Job title from the CRM contact.")
    role: str = Field(description="Merged decision role (decision_maker, champion, ... unknown).")
    stance: str | None = Field(description="Merged stance: supportive, neutral or opposed.")
    influence: str | None = Field(description="Merged influence: high, medium or low.")
    notes: int = Field(description="How many notes mention this person.")
    last_interaction: dt.datetime | None = Field(
        description="The latest activity logged with this contact (UTC)."
    )
    last_interaction_id: str | None = Field(description="Id of that activity.")
    evidence: list[Evidence] = Field(description="Notes supporting the role, newest first.")
    conflicts: list[Conflict] = Field(description="Roles other notes state, strongest first.")


def buying_committee(
    session: Session,
    *,
    account_id: str | None = None,
    opportunity_id: str | None = None,
    before: dt.datetime,
    owner_filter: OwnerFilter | None = None,
) -> list[CommitteeMember]:
    """The people the notes place in the decision on an account or opportunity.

    ``owner_filter`` (e.g. ``scope.owner_filter``) restricts facts to visible records.
    """
    facts = role_facts(
        session,
        account_id=account_id,
        opportunity_id=opportunity_id,
        before=before,
        owner_filter=owner_filter,
    )
    return committee_of(session, facts, before=before)


def committee_of(
    session: Session, facts: pd.DataFrame, *, before: dt.datetime
) -> list[CommitteeMember]:
    """The committee merged from ``facts`` (a :func:`role_facts` frame; not modified)."""
    if facts.empty:
        return []
    contacts = [str(c) for c in facts["contact_id"].dropna().unique()]
    last = last_interactions(session, contacts, before=before)
    roles = dict(tuple(vote(facts, ["member"], "role").groupby("member", sort=False)))
    stances, influences = _winners(facts, "stance"), _winners(facts, "influence")
    members = [
        _member(group, roles[key], last, stances.get(str(key)), influences.get(str(key)))
        for key, group in facts.groupby("member", sort=False)
    ]
    rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    return sorted(members, key=lambda m: (rank.get(m.role, len(rank)), -m.notes, m.name))


def with_silent_contacts(
    session: Session,
    members: list[CommitteeMember],
    *,
    account_id: str | None,
    before: dt.datetime,
) -> list[CommitteeMember]:
    """Append the account's contacts that no note places in the committee (role unknown)."""
    if account_id is None:
        return members
    known = {m.contact_id for m in members}
    silent = [
        c
        for c in session.exec(
            select(Contact).where(col(Contact.account_id) == account_id).order_by(Contact.name)
        ).all()
        if c.id not in known
    ]
    last = last_interactions(session, [c.id for c in silent], before=before)
    return members + [_silent_member(c, last) for c in silent]


def _silent_member(contact: Contact, last: pd.DataFrame) -> CommitteeMember:
    when, activity_id = _latest(last, contact.id)
    return CommitteeMember(
        contact_id=contact.id,
        name=contact.name,
        title=contact.title,
        role="unknown",
        stance=None,
        influence=None,
        notes=0,
        last_interaction=when,
        last_interaction_id=activity_id,
        evidence=[],
        conflicts=[],
    )


def _member(
    group: pd.DataFrame,
    roles: pd.DataFrame,
    last: pd.DataFrame,
    stance: str | None,
    influence: str | None,
) -> CommitteeMember:
    """One person's merged reading; ``roles`` is their slice of the role vote."""
    role = str(roles["role"].iloc[0])
    contact_id = group["contact_id"].iloc[0]
    contact_id = None if pd.isna(contact_id) else str(contact_id)
    when, activity_id = _latest(last, contact_id)
    return CommitteeMember(
        contact_id=contact_id,
        name=str(group["name"].iloc[0]),
        title=as_text(group["title"].iloc[0]),
        role=role,
        stance=stance,
        influence=influence,
        notes=int(group["activity_id"].nunique()),
        last_interaction=when,
        last_interaction_id=activity_id,
        evidence=evidence_of(group[group["role"] == role], "role"),
        conflicts=conflicts_of(group, roles.iloc[1:], "role", "role"),
    )


def _latest(last: pd.DataFrame, contact_id: str | None) -> tuple[dt.datetime | None, str | None]:
    if contact_id is None or contact_id not in last.index:
        return None, None
    row = last.loc[contact_id]
    return as_datetime(row["occurred_at"]), str(row["id"])


def _winners(facts: pd.DataFrame, column: str) -> dict[str, str]:
    """Each member's winning value of ``column`` (members without one are absent)."""
    ranked = vote(facts, ["member"], column).drop_duplicates("member")
    return {str(k): str(v) for k, v in zip(ranked["member"], ranked[column], strict=True)}
