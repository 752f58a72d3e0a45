"""The read side of the facts the knowledge layer extracts from notes: roles and preferences.

The extractor writes one row per note and person (:class:`crm.models.ContactRoleFact`)
or per note and preference (:class:`crm.models.PreferenceFact`). This module merges
them at read time, for the tools and the knowledge layer alike.

Merge rule (roles, stances, influence, preference values): every note votes for what
it states with weight ``0.5 ** (age_days / HALF_LIFE_DAYS)`` (age counted back from
``before``), so newer evidence counts more but three notes still outweigh one slightly
newer note. The value with the most votes wins; ties go to the newest evidence. A role
of ``unknown`` (a person mentioned without a role) never outvotes a stated role. The
values that lost stay visible as ``conflicts``, each with its notes.

Which facts belong to what: an account gets every fact about it; an opportunity gets
the facts of its own notes plus the account-level facts (notes not tied to any deal)
of its account. Facts of notes dated at or after ``before`` do not exist yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from crm.models import Account, Activity, Contact, ContactRoleFact, Opportunity, PreferenceFact

HALF_LIFE_DAYS = 180.0
"""A note's vote halves every this many days."""

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

EXCLUSIVE_CATEGORIES = frozenset({"communication", "payment_terms", "deployment", "timeline"})
"""Preference categories holding one value at a time: other values are conflicts.

In ``pricing`` and ``product`` several values coexist ("annual billing", "needs SSO")."""

OwnerFilter = Callable[[Any], Any]


class Evidence(BaseModel):
    """One note stating a fact."""

    activity_id: str = Field(description="Id of the note (activity) the fact comes from.")
    sentence: str = Field(description="The sentence of the note that states it.")
    occurred_at: dt.datetime = Field(description="When the note was written (UTC).")
    value: str = Field(description="What this note states (the role or preference value).")


class Conflict(BaseModel):
    """A value other notes state that lost the merge vote."""

    value: str = Field(description="The competing role or preference value.")
    notes: int = Field(description="How many notes state it.")
    last_seen: dt.datetime = Field(description="The newest note stating it (UTC).")
    evidence: list[Evidence] = Field(description="The notes stating it, newest first.")


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


class MergedPreference(BaseModel):
    """An account's (or contact's) preference in one category, merged over notes."""

    category: str = Field(description="pricing, payment_terms, communication, product, ...")
    value: str = Field(description="The winning value (e.g. 'prefers WhatsApp').")
    values: list[str] = Field(description="Every value stated in this category, strongest first.")
    notes: int = Field(description="How many notes support the winning value.")
    evidence: list[Evidence] = Field(description="Notes supporting the winning value.")
    conflicts: list[Conflict] = Field(
        description="Competing values in a one-value category (e.g. two channels)."
    )


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


def role_facts(
    session: Session,
    *,
    account_id: str | None = None,
    opportunity_id: str | None = None,
    before: dt.datetime,
    owner_filter: OwnerFilter | None = None,
) -> pd.DataFrame:
    """The role facts of one account or opportunity as a frame, with vote weights.

    Columns: those of :func:`role_fact_rows` plus ``member`` (contact id, or
    ``name:<person>``), ``name`` (the contact's, else as written) and ``weight``.
    """
    if opportunity_id is not None:
        deal_account = session.exec(
            select(Opportunity.account_id).where(col(Opportunity.id) == opportunity_id)
        ).first()
        condition = deal_condition(ContactRoleFact, opportunity_id, deal_account)
    elif account_id is not None:
        condition = col(ContactRoleFact.account_id) == account_id
    else:
        raise ValueError("give account_id or opportunity_id")
    facts = role_fact_rows(session, [condition], before=before, owner_filter=owner_filter)
    return with_weights(facts, before) if not facts.empty else facts


def role_fact_rows(
    session: Session,
    conditions: list[Any],
    *,
    before: dt.datetime,
    owner_filter: OwnerFilter | None = None,
) -> pd.DataFrame:
    """Role facts matching ``conditions`` dated before ``before``, one row each.

    Columns: activity_id, opportunity_id, account_id, contact_id, person, role, stance,
    influence, sentence, occurred_at, contact_name and title (of the CRM contact).
    """
    stmt: Any = (
        sa_select(
            col(ContactRoleFact.activity_id), col(ContactRoleFact.opportunity_id),
            col(ContactRoleFact.account_id), col(ContactRoleFact.contact_id),
            col(ContactRoleFact.person), col(ContactRoleFact.role), col(ContactRoleFact.stance),
            col(ContactRoleFact.influence), col(ContactRoleFact.sentence),
            col(ContactRoleFact.occurred_at), col(Contact.name).label("contact_name"),
            col(Contact.title),
        )
        .outerjoin(Contact, col(Contact.id) == ContactRoleFact.contact_id)
        .where(*conditions, col(ContactRoleFact.occurred_at) < before)
    )  # fmt: skip
    if owner_filter is not None:
        stmt = _scoped(stmt, ContactRoleFact, owner_filter)
    result = session.connection().execute(stmt)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def deal_condition(table: Any, opportunity_id: str, account_id: str | None) -> Any:
    """SQL condition: rows of ``table`` that are the deal's own or its account's unassigned."""
    own = col(table.opportunity_id) == opportunity_id
    if account_id is None:
        return own
    return or_(own, and_(col(table.account_id) == account_id, col(table.opportunity_id).is_(None)))


def _scoped(query: Any, table: Any, owner_filter: OwnerFilter) -> Any:
    """Keep facts whose account or opportunity the caller may see."""
    return (
        query.join(Account, col(Account.id) == table.account_id, isouter=True)
        .join(Opportunity, col(Opportunity.id) == table.opportunity_id, isouter=True)
        .where(
            or_(
                and_(col(Account.id).is_not(None), owner_filter(Account.owner_id)),
                and_(col(Opportunity.id).is_not(None), owner_filter(Opportunity.owner_id)),
            )
        )
    )


def with_weights(frame: pd.DataFrame, before: dt.datetime) -> pd.DataFrame:
    """Add each fact's vote ``weight`` (and, for role facts, ``member`` and ``name``)."""
    occurred = pd.to_datetime(frame["occurred_at"], utc=True)
    age_days = (pd.Timestamp(before) - occurred).dt.total_seconds() / 86400
    frame["occurred_at"] = occurred
    frame["weight"] = 0.5 ** (age_days.clip(lower=0) / HALF_LIFE_DAYS)
    if "person" in frame:
        person_key = "name:" + frame["person"].str.strip().str.casefold()
        frame["member"] = frame["contact_id"].where(frame["contact_id"].notna(), person_key)
        frame["name"] = frame["contact_name"].where(frame["contact_name"].notna(), frame["person"])
    return frame


def vote(facts: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Rank the values of column ``value`` within each ``by`` group by the merge rule.

    Returns one row per group and value: ``votes`` (recency-weighted), ``notes`` and
    ``last_seen``, best first within each group (``unknown`` last). Vectorised, so it
    serves one deal and a whole book alike.
    """
    stated = facts.dropna(subset=[value]).drop_duplicates([*by, value, "activity_id"])
    groups = stated.groupby([*by, value], sort=False)
    ranked = pd.DataFrame(
        {
            "votes": groups["weight"].sum(),
            "notes": groups.size(),
            "last_seen": groups["occurred_at"].max(),
        }
    ).reset_index()
    ranked["known"] = ranked[value] != "unknown"
    order = [*by, "known", "votes", "last_seen"]
    ascending = [True] * len(by) + [False, False, False]
    return ranked.sort_values(order, ascending=ascending).drop(columns="known")


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
        title=_text(group["title"].iloc[0]),
        role=role,
        stance=stance,
        influence=influence,
        notes=int(group["activity_id"].nunique()),
        last_interaction=when,
        last_interaction_id=activity_id,
        evidence=_evidence(group[group["role"] == role], "role"),
        conflicts=_conflicts(group, roles.iloc[1:], "role", "role"),
    )


def _latest(last: pd.DataFrame, contact_id: str | None) -> tuple[dt.datetime | None, str | None]:
    if contact_id is None or contact_id not in last.index:
        return None, None
    row = last.loc[contact_id]
    return _ts(row["occurred_at"]), str(row["id"])


def _winners(facts: pd.DataFrame, column: str) -> dict[str, str]:
    """Each member's winning value of ``column`` (members without one are absent)."""
    ranked = vote(facts, ["member"], column).drop_duplicates("member")
    return {str(k): str(v) for k, v in zip(ranked["member"], ranked[column], strict=True)}


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _ts(value: Any) -> dt.datetime:
    return pd.Timestamp(value).to_pydatetime()


def _evidence(rows: pd.DataFrame, column: str) -> list[Evidence]:
    newest = rows.sort_values("occurred_at", ascending=False)
    return [
        Evidence(
            activity_id=str(r.activity_id),
            sentence=str(r.sentence),
            occurred_at=_ts(r.occurred_at),
            value=str(getattr(r, column)),
        )
        for r in newest.itertuples()
    ]


def _conflicts(
    group: pd.DataFrame, losers: pd.DataFrame, column: str, shown: str
) -> list[Conflict]:
    """The losing values of ``column`` (displayed from column ``shown``) with their notes."""
    conflicts = []
    for value, notes, last_seen in losers[[column, "notes", "last_seen"]].itertuples(index=False):
        rows = group[group[column] == value]
        conflicts.append(
            Conflict(
                value=str(rows[shown].iloc[0]),
                notes=int(notes),
                last_seen=_ts(last_seen),
                evidence=_evidence(rows, shown),
            )
        )
    return conflicts


def last_interactions(
    session: Session, contact_ids: list[str], *, before: dt.datetime
) -> pd.DataFrame:
    """The latest activity with each contact before ``before`` (indexed by contact id).

    Columns ``id`` (the activity) and ``occurred_at``; contacts never met are absent.
    """
    if not contact_ids:
        return pd.DataFrame(columns=["id", "occurred_at"])
    latest = (
        select(col(Activity.contact_id), func.max(Activity.occurred_at).label("at"))
        .where(col(Activity.contact_id).in_(contact_ids), col(Activity.occurred_at) < before)
        .group_by(col(Activity.contact_id))
        .subquery()
    )
    rows = session.exec(
        select(Activity.id, Activity.contact_id, Activity.occurred_at).join(
            latest,
            and_(
                col(Activity.contact_id) == latest.c.contact_id,
                col(Activity.occurred_at) == latest.c.at,
            ),
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["id", "contact_id", "occurred_at"])
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame.drop_duplicates("contact_id").set_index("contact_id")


def account_preferences(
    session: Session,
    *,
    account_id: str,
    contact_id: str | None = None,
    before: dt.datetime,
) -> list[MergedPreference]:
    """An account's preferences per category (or one contact's, given ``contact_id``)."""
    query = select(PreferenceFact).where(
        col(PreferenceFact.account_id) == account_id, col(PreferenceFact.occurred_at) < before
    )
    if contact_id is not None:
        query = query.where(col(PreferenceFact.contact_id) == contact_id)
    rows = [fact.model_dump() for fact in session.exec(query).all()]
    if not rows:
        return []
    facts = with_weights(pd.DataFrame(rows), before)
    facts["key"] = facts["value"].str.strip().str.casefold()
    return [_preference(str(category), group) for category, group in facts.groupby("category")]


def _preference(category: str, group: pd.DataFrame) -> MergedPreference:
    ranked = vote(group, [], "key")
    top = ranked["key"].iloc[0]
    shown = group.drop_duplicates("key").set_index("key")["value"]
    losers = ranked.iloc[1:] if category in EXCLUSIVE_CATEGORIES else ranked.iloc[0:0]
    return MergedPreference(
        category=category,
        value=str(shown[top]),
        values=[str(shown[k]) for k in ranked["key"]],
        notes=int(ranked["notes"].iloc[0]),
        evidence=_evidence(group[group["key"] == top], "value"),
        conflicts=_conflicts(group, losers, "key", "value"),
    )


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
