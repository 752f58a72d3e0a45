"""``/v1/notes``: log an interaction note; it is stored, read for facts and indexed."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Literal

from fastapi import APIRouter, BackgroundTasks
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session

from api.deps import AppState, CtxDep, StateDep
from api.errors import ApiError
from crm.models import Activity, ActivityKind, Contact
from knowledge.extract import Extraction, OfflineExtractor, PersonRole, Preference
from knowledge.facts_writer import contacts_by_account, extract_notes
from knowledge.search import NoteIndex
from tools.context import ToolContext
from tools.records import get_account, get_opportunity

router = APIRouter(prefix="/v1", tags=["notes"])
log = logging.getLogger("dealwise.api")


class NoteIn(BaseModel):
    """An interaction note on an account and/or an opportunity you may see."""

    body: str = Field(min_length=1, max_length=20_000, description="The note text.")
    account_id: str | None = Field(default=None, max_length=64, description="The account.")
    opportunity_id: str | None = Field(default=None, max_length=64, description="The deal.")
    contact_id: str | None = Field(default=None, max_length=64, description="Who it was with.")
    kind: ActivityKind = Field(default="note", description="call, email, meeting, note or task.")
    subject: str | None = Field(default=None, max_length=200, description="Subject line.")
    occurred_at: dt.datetime | None = Field(
        default=None, description="When it happened (default: now, capped at the analysis date)."
    )

    @model_validator(mode="after")
    def _needs_a_record(self) -> NoteIn:
        if self.account_id is None and self.opportunity_id is None:
            raise ValueError("give account_id or opportunity_id")
        return self


class NoteLogged(BaseModel):
    """The stored note and what it states."""

    activity_id: str = Field(description="Id of the new activity.")
    account_id: str | None = Field(description="Account the note belongs to.")
    opportunity_id: str | None = Field(description="Deal the note belongs to.")
    occurred_at: dt.datetime = Field(description="When it happened (UTC).")
    contacts: list[PersonRole] = Field(description="People the note mentions, with roles.")
    preferences: list[Preference] = Field(description="Preferences the note states.")
    index: Literal["queued", "unavailable"] = Field(
        description="Whether the note is being added to the semantic notes index."
    )


@router.post("/notes", response_model=NoteLogged, status_code=201)
def log_note(note: NoteIn, ctx: CtxDep, state: StateDep, background: BackgroundTasks) -> NoteLogged:
    """Log a note: stored, its roles and preferences extracted and returned, then indexed."""
    account_id = _check_scope(ctx, note)
    activity = Activity(
        id=f"api-{uuid.uuid4().hex[:16]}",
        kind=note.kind,
        occurred_at=_when(ctx, note.occurred_at),
        account_id=account_id,
        opportunity_id=note.opportunity_id,
        contact_id=note.contact_id,
        user_id=ctx.scope.user_id,
        subject=note.subject,
        body=note.body,
    )
    ctx.session.add(activity)
    ctx.session.flush()
    extract_notes(ctx.session, extractor=OfflineExtractor(), activity_ids=[activity.id])
    found = _extraction(ctx, activity, account_id)
    ctx.session.commit()
    indexable = isinstance(ctx.knowledge, NoteIndex)
    if indexable:
        background.add_task(_index, state, activity.id)
    return NoteLogged(
        activity_id=activity.id,
        account_id=account_id,
        opportunity_id=note.opportunity_id,
        occurred_at=activity.occurred_at,
        contacts=found.contacts,
        preferences=found.preferences,
        index="queued" if indexable else "unavailable",
    )


def _check_scope(ctx: ToolContext, note: NoteIn) -> str | None:
    """The note's account; 404 when any record it names is missing or not the caller's."""
    account_id = note.account_id
    if note.opportunity_id is not None:
        opp = get_opportunity(ctx, note.opportunity_id)
        if account_id is not None and opp.account_id not in (None, account_id):
            raise ApiError(422, "invalid_argument", "the opportunity is on another account")
        account_id = account_id or opp.account_id
    if note.account_id is not None:
        get_account(ctx, note.account_id)
    if note.contact_id is not None:
        contact = ctx.session.get(Contact, note.contact_id)
        if contact is None or contact.account_id != account_id:
            raise ApiError(404, "not_found", f"contact {note.contact_id!r} not found or not yours")
    return account_id


def _when(ctx: ToolContext, occurred_at: dt.datetime | None) -> dt.datetime:
    """The note's time in UTC; by default now, or the analysis date's last second."""
    if occurred_at is None:
        return min(dt.datetime.now(dt.UTC), ctx.as_of_end - dt.timedelta(seconds=1))
    if occurred_at.tzinfo is None:
        return occurred_at.replace(tzinfo=dt.UTC)
    return occurred_at.astimezone(dt.UTC)


def _extraction(ctx: ToolContext, activity: Activity, account_id: str | None) -> Extraction:
    known = contacts_by_account(ctx.session, [account_id]) if account_id else {}
    return OfflineExtractor().extract(
        activity.body or "", note_id=activity.id, known_contacts=known.get(account_id or "", ())
    )


def _index(state: AppState, activity_id: str) -> None:
    """Index the new note alone (errors are logged: the server carries on).

    A full incremental run would read the whole index (~15 s at 100k notes) and
    withdraw the scope table meanwhile, slowing every scoped search.
    """
    from knowledge.indexing import index_posted_notes

    knowledge = state.assistant.knowledge
    if not isinstance(knowledge, NoteIndex):
        return
    try:
        with Session(state.engine) as session:
            index_posted_notes(session, knowledge, [activity_id])
    except Exception:
        log.exception("indexing note %s failed; `dealwise index` will catch up", activity_id)
