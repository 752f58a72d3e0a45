"""The knowledge layer's catalog tools (semantic note search; extraction tools join here).

Importing this module stays light: the notes index in ``ctx.knowledge`` opens Chroma
and loads the embedding model only when a search runs.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from sqlmodel import col, select

from crm.models import Account, ActivityKind, Contact
from knowledge.search import NoteIndex, note_filter
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import InvalidArgument, NotFound, ToolError
from tools.records import get_account, get_opportunity

MAX_PASSAGES = 20


class NotesIndexUnavailable(ToolError):
    """The notes index is not configured, empty or built with another model."""

    status = 503
    code = "notes_index_unavailable"


class NotePassage(BaseModel):
    """One passage of a note that matches the query."""

    note_id: str = Field(description="Id of the note (activity) the passage is from; cite it.")
    date: dt.date = Field(description="Day the note was written (UTC).")
    kind: ActivityKind = Field(description="What the note records: call, email, meeting, ...")
    account_id: str | None = Field(description="Account the note is about, if any.")
    account_name: str | None = Field(description="That account's name.")
    opportunity_id: str | None = Field(description="Opportunity the note is about, if any.")
    contact_id: str | None = Field(description="Contact the note is about, if any.")
    text: str = Field(description="The matching passage, verbatim from the note.")
    score: float = Field(description="Cosine similarity of passage and query (higher = closer).")


class NoteSearchResult(BaseModel):
    """The notes that best match a query, best first."""

    query: str = Field(description="The query as searched.")
    passages: list[NotePassage] = Field(description="Best passage per note, best note first.")
    count: int = Field(description="Number of passages returned.")


@tool
def search_notes(  # noqa: D417  (ctx is not shown to the model)
    ctx: ToolContext,
    *,
    query: str,
    account_id: str | None = None,
    opportunity_id: str | None = None,
    contact_id: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 5,
) -> NoteSearchResult:
    """Find what the interaction notes (calls, emails, meetings) say about a topic.

    Use for questions the CRM fields cannot answer: who decides or signs, objections,
    competitors mentioned, what a customer asked for, what was agreed. Searches by
    meaning, not keywords; narrow it to an account, deal, contact or date range.
    Quote the passages and cite their note ids.

    Args:
        query: What to look for, in plain words (e.g. "who approves the budget").
        account_id: Only notes about this account.
        opportunity_id: Only notes about this opportunity (deal).
        contact_id: Only notes about this contact.
        since: Only notes written on or after this day (YYYY-MM-DD).
        until: Only notes written on or before this day (YYYY-MM-DD).
        limit: How many notes to return, 1 to 20.
    """
    index = _index(ctx)
    _check(ctx, query, since, until, limit)
    if account_id is not None:
        get_account(ctx, account_id)
    if opportunity_id is not None:
        get_opportunity(ctx, opportunity_id)
    if contact_id is not None:
        _check_contact(ctx, contact_id)
    try:
        where = note_filter(
            owner_ids=ctx.scope.owner_ids,
            before=ctx.as_of_end if index.has_notes_from(ctx.as_of_end) else None,
            account_id=account_id,
            opportunity_id=opportunity_id,
            contact_id=contact_id,
            since=since,
            until=until,
        )
        hits = index.search(query, where=where, limit=limit)
    except RuntimeError as exc:  # e.g. store.IndexMismatch
        raise NotesIndexUnavailable(str(exc)) from exc
    names = _account_names(ctx, {str(h.metadata["account_id"]) for h in hits})
    passages = [
        NotePassage(
            note_id=h.activity_id,
            date=dt.date.fromisoformat(str(h.metadata["date"])),
            kind=h.metadata["kind"],
            account_id=str(h.metadata["account_id"]) or None,
            account_name=names.get(str(h.metadata["account_id"])),
            opportunity_id=str(h.metadata["opportunity_id"]) or None,
            contact_id=str(h.metadata["contact_id"]) or None,
            text=h.text,
            score=h.score,
        )
        for h in hits
    ]
    return NoteSearchResult(query=query, passages=passages, count=len(passages))


def _index(ctx: ToolContext) -> NoteIndex:
    if not isinstance(ctx.knowledge, NoteIndex):
        raise NotesIndexUnavailable(
            "the notes index is not configured: run `dealwise index` to build it"
        )
    return ctx.knowledge


def _check(
    ctx: ToolContext, query: str, since: dt.date | None, until: dt.date | None, limit: int
) -> None:
    if not query.strip():
        raise InvalidArgument("query is empty: say what to look for")
    if not 1 <= limit <= MAX_PASSAGES:
        raise InvalidArgument(f"limit must be between 1 and {MAX_PASSAGES}, not {limit}")
    if since is not None and until is not None and since > until:
        raise InvalidArgument(f"since ({since}) is after until ({until})")
    if since is not None and since > ctx.as_of:
        raise InvalidArgument(f"since ({since}) is after the analysis date ({ctx.as_of})")


def _check_contact(ctx: ToolContext, contact_id: str) -> None:
    contact = ctx.session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    try:
        get_account(ctx, contact.account_id)
    except NotFound:
        raise NotFound("contact", contact_id) from None


def _account_names(ctx: ToolContext, account_ids: set[str]) -> dict[str, str]:
    account_ids.discard("")
    if not account_ids:
        return {}
    rows = ctx.session.exec(
        select(Account.id, Account.name).where(col(Account.id).in_(sorted(account_ids)))
    ).all()
    return dict(rows)
