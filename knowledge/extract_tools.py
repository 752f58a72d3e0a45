"""Catalog tools over extraction: what one stored note, or an account's notes, state.

``extract_note`` reads one note the caller may see; ``account_note_facts`` reads an
account's recent notes, note by note (the merged committee is the ``power_map`` tool).
Both run the offline extractor live, so they work before any indexing has happened.
Scope: a note is visible when its account, or its opportunity, or (for a note tied to
neither) its author is in the caller's scope; notes dated after ``as_of`` do not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from pydantic import BaseModel, Field
from sqlalchemy import or_
from sqlmodel import col, select

from crm.models import Activity, Opportunity
from knowledge.extract import Extraction, KnownContact, OfflineExtractor, PersonRole, Preference
from knowledge.extract.types import ExtractorName
from knowledge.facts_writer import contacts_by_account
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import InvalidArgument, NotFound
from tools.records import MAX_IDS, get_account, get_opportunity


class NoteFacts(BaseModel):
    """The people, roles and preferences one note states."""

    activity_id: str = Field(description="Id of the note (activity).")
    account_id: str | None = Field(description="Account the note belongs to.")
    occurred_at: dt.datetime = Field(description="When the note was written (UTC).")
    contacts: list[PersonRole] = Field(description="People the note mentions, with roles.")
    preferences: list[Preference] = Field(description="Preferences the note states.")
    extractor: ExtractorName = Field(description="Which extractor read the note.")


class AccountNoteFacts(BaseModel):
    """What an account's notes state, newest note first."""

    account_id: str = Field(description="The account.")
    account_name: str = Field(description="The account's name.")
    notes_total: int = Field(description="Notes on the account up to the analysis date.")
    notes_with_facts: int = Field(description="Of those, notes that state a role or preference.")
    notes: list[NoteFacts] = Field(description="The newest notes that state something.")
    note_ids: list[str] = Field(description="Ids of the notes read (newest first, capped).")


@tool
def extract_note(ctx: ToolContext, *, activity_id: str) -> NoteFacts:  # noqa: D417
    """Read one stored note and return the people, decision roles and preferences it states.

    Use it to explain a single call or meeting note: who decides, who supports or blocks,
    what the customer prefers; each fact carries the sentence it comes from.

    Args:
        activity_id: Id of the note (activity) to read.
    """
    activity, account_id = _visible_note(ctx, activity_id)
    return _note_facts(activity, account_id, _extract(ctx, activity, account_id))


@tool
def account_note_facts(  # noqa: D417
    ctx: ToolContext, *, account_id: str, limit: int = 20
) -> AccountNoteFacts:
    """List what an account's recent notes say about people, roles and preferences, note by note.

    Use it to see the raw evidence behind a buying committee or to check what the latest
    notes say; for the merged committee with gaps use power_map instead.

    Args:
        account_id: Id of the account.
        limit: How many of the newest notes that state something to return (1-50).
    """
    if not 1 <= limit <= MAX_IDS:
        raise InvalidArgument(f"limit must be between 1 and {MAX_IDS}, got {limit}")
    account = get_account(ctx, account_id)
    deal_account = col(Opportunity.account_id) == account_id
    query = (
        select(Activity)
        .join(Opportunity, col(Opportunity.id) == col(Activity.opportunity_id), isouter=True)
        .where(
            or_(col(Activity.account_id) == account_id, deal_account),
            col(Activity.occurred_at) < ctx.as_of_end,
            col(Activity.body).is_not(None),
        )
        .order_by(col(Activity.occurred_at).desc(), col(Activity.id))
    )
    activities = list(ctx.session.exec(query).all())
    contacts = _known_contacts(ctx, account_id)
    extractor = OfflineExtractor()
    stated = []
    for activity in activities:
        found = extractor.extract(activity.body or "", note_id=activity.id, known_contacts=contacts)
        if found.contacts or found.preferences:
            stated.append(_note_facts(activity, account_id, found))
    return AccountNoteFacts(
        account_id=account.id,
        account_name=account.name,
        notes_total=len(activities),
        notes_with_facts=len(stated),
        notes=stated[:limit],
        note_ids=[a.id for a in activities[:MAX_IDS]],
    )


def _visible_note(ctx: ToolContext, activity_id: str) -> tuple[Activity, str | None]:
    """The note and its account, if the caller may see it and it exists by ``as_of``."""
    activity = ctx.session.get(Activity, activity_id)
    if activity is None or activity.body is None or activity.occurred_at >= ctx.as_of_end:
        raise NotFound("note", activity_id)
    opp = ctx.session.get(Opportunity, activity.opportunity_id) if activity.opportunity_id else None
    lookups: list[Callable[[], object]] = []
    if activity.account_id is not None:
        lookups.append(partial(get_account, ctx, activity.account_id))
    if activity.opportunity_id is not None:
        lookups.append(partial(get_opportunity, ctx, activity.opportunity_id))
    visible = any(map(_found, lookups)) if lookups else ctx.scope.allows(activity.user_id)
    if not visible:
        raise NotFound("note", activity_id)
    return activity, activity.account_id or (opp.account_id if opp else None)


def _found(lookup: Callable[[], object]) -> bool:
    try:
        lookup()
    except NotFound:
        return False
    return True


def _known_contacts(ctx: ToolContext, account_id: str | None) -> tuple[KnownContact, ...]:
    if account_id is None:
        return ()
    return contacts_by_account(ctx.session, [account_id]).get(account_id, ())


def _extract(ctx: ToolContext, activity: Activity, account_id: str | None) -> Extraction:
    return OfflineExtractor().extract(
        activity.body or "", note_id=activity.id, known_contacts=_known_contacts(ctx, account_id)
    )


def _note_facts(activity: Activity, account_id: str | None, found: Extraction) -> NoteFacts:
    return NoteFacts(
        activity_id=activity.id,
        account_id=account_id,
        occurred_at=activity.occurred_at,
        contacts=found.contacts,
        preferences=found.preferences,
        extractor=found.extractor,
    )
