"""Run extraction over stored notes and write the facts to the CRM store.

One :class:`crm.models.ContactRoleFact` per note and person (``unknown`` included, so a
mention is on record) and one :class:`crm.models.PreferenceFact` per note and stated
preference; :mod:`crm.insights` merges them at read time. Writing is idempotent: a
note's facts are replaced as a whole, and only when what the extractor now finds
differs from what is stored (a changed text, a moved or re-dated note, another
extractor), so re-running writes nothing new. Change detection of note *texts* is the
caller's: ``dealwise index`` and ``POST /v1/notes`` pass the ids of new or changed
notes; without ids every note is re-read. Every note is written whatever its date: the
read side filters by ``as_of``. The caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from crm.models import Activity, Contact, ContactRoleFact, Opportunity, PreferenceFact
from knowledge.extract.base import Extractor
from knowledge.extract.types import Extraction, KnownContact

BATCH = 500
"""Notes read, extracted and written per round trip."""


@dataclass(frozen=True)
class ExtractCounts:
    """What one run did."""

    notes: int
    changed: int
    role_facts: int
    preference_facts: int


@dataclass(frozen=True)
class _Note:
    id: str
    text: str
    occurred_at: dt.datetime
    account_id: str | None
    opportunity_id: str | None


def extract_notes(
    session: Session,
    *,
    extractor: Extractor,
    activity_ids: Iterable[str] | None = None,
) -> ExtractCounts:
    """Extract roles and preferences from notes and replace their stored facts.

    Args:
        session: Session on the CRM store (the caller commits).
        extractor: The extractor to run (offline or LLM).
        activity_ids: Only these activities (new or changed notes); ``None`` = every note.
    """
    ids = sorted(set(activity_ids)) if activity_ids is not None else _all_note_ids(session)
    notes = changed = roles = prefs = 0
    for batch in _batches(ids):
        loaded = _load_notes(session, batch)
        contacts = contacts_by_account(session, {n.account_id for n in loaded if n.account_id})
        stored = _stored_signatures(session, batch)
        for note in loaded:
            extraction = extractor.extract(
                note.text, note_id=note.id, known_contacts=contacts.get(note.account_id or "", ())
            )
            role_rows, pref_rows = fact_rows(note, extraction)
            notes += 1
            if _signature(role_rows, pref_rows) == stored.get(note.id, ()):
                continue
            changed += 1
            roles += len(role_rows)
            prefs += len(pref_rows)
            _delete(session, [note.id])
            session.add_all([*role_rows, *pref_rows])
        session.flush()
    return ExtractCounts(notes=notes, changed=changed, role_facts=roles, preference_facts=prefs)


def delete_note_facts(session: Session, activity_ids: Sequence[str]) -> None:
    """Remove the facts of notes that are being deleted (the caller commits)."""
    for batch in _batches(sorted(set(activity_ids))):
        _delete(session, batch)


def fact_rows(
    note: _Note, extraction: Extraction
) -> tuple[list[ContactRoleFact], list[PreferenceFact]]:
    """The rows that state ``extraction`` for ``note``."""
    common: dict[str, Any] = {
        "activity_id": note.id,
        "account_id": note.account_id,
        "occurred_at": note.occurred_at,
        "extractor": extraction.extractor,
    }
    roles = [
        ContactRoleFact(
            **common,
            opportunity_id=note.opportunity_id,
            contact_id=person.contact_id,
            person=person.name,
            role=person.role,
            stance=person.stance,
            influence=person.influence,
            sentence=person.evidence[0].sentence if person.evidence else "",
        )
        for person in extraction.contacts
    ]
    seen: set[tuple[str, str, str | None]] = set()
    prefs = []
    for pref in extraction.preferences:
        key = (pref.category, pref.value.casefold(), pref.contact_id)
        if key in seen:
            continue
        seen.add(key)
        sentence = pref.evidence[0].sentence if pref.evidence else ""
        prefs.append(
            PreferenceFact(
                **common,
                contact_id=pref.contact_id,
                category=pref.category,
                value=pref.value,
                sentence=sentence,
            )
        )
    return roles, prefs


def _all_note_ids(session: Session) -> list[str]:
    query = select(Activity.id).where(col(Activity.body).is_not(None)).order_by(Activity.id)
    return list(session.exec(query).all())


def _batches(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _load_notes(session: Session, ids: list[str]) -> list[_Note]:
    account = func.coalesce(col(Activity.account_id), col(Opportunity.account_id))
    query = (
        sa_select(
            col(Activity.id),
            col(Activity.body),
            col(Activity.occurred_at),
            account,
            col(Activity.opportunity_id),
        )
        .join(Opportunity, col(Opportunity.id) == col(Activity.opportunity_id), isouter=True)
        .where(col(Activity.id).in_(ids), col(Activity.body).is_not(None))
        .order_by(Activity.id)
    )
    return [_Note(*row) for row in session.execute(query).all()]


def contacts_by_account(
    session: Session, account_ids: Iterable[str]
) -> dict[str, tuple[KnownContact, ...]]:
    """The contacts of each account, as the extractors link names to them."""
    account_ids = set(account_ids)
    found: dict[str, list[KnownContact]] = defaultdict(list)
    if account_ids:
        query = (
            select(Contact.id, Contact.account_id, Contact.name, Contact.title)
            .where(col(Contact.account_id).in_(sorted(account_ids)))
            .order_by(Contact.id)
        )
        for id_, account_id, name, title in session.exec(query).all():
            found[account_id].append(KnownContact(id_, name, title))
    return {key: tuple(value) for key, value in found.items()}


def _signature(
    roles: Sequence[ContactRoleFact], prefs: Sequence[PreferenceFact]
) -> tuple[tuple[Any, ...], ...]:
    """What a note's facts say, order-free, to compare the stored and the new facts."""
    keep_role = ("contact_id", "person", "role", "stance", "influence", "sentence")
    keep_pref = ("contact_id", "category", "value", "sentence")
    shared = ("account_id", "occurred_at", "extractor")
    rows = [("r", *(getattr(r, k) for k in (*keep_role, *shared, "opportunity_id"))) for r in roles]
    rows += [("p", *(getattr(p, k) for k in (*keep_pref, *shared))) for p in prefs]
    return tuple(sorted(rows, key=repr))


def _stored_signatures(session: Session, ids: list[str]) -> dict[str, tuple[tuple[Any, ...], ...]]:
    roles: dict[str, list[ContactRoleFact]] = defaultdict(list)
    prefs: dict[str, list[PreferenceFact]] = defaultdict(list)
    for role in session.exec(
        select(ContactRoleFact).where(col(ContactRoleFact.activity_id).in_(ids))
    ).all():
        roles[role.activity_id].append(role)
    for pref in session.exec(
        select(PreferenceFact).where(col(PreferenceFact.activity_id).in_(ids))
    ).all():
        prefs[pref.activity_id].append(pref)
    return {i: _signature(roles.get(i, []), prefs.get(i, [])) for i in set(roles) | set(prefs)}


def _delete(session: Session, ids: list[str]) -> None:
    session.execute(delete(ContactRoleFact).where(col(ContactRoleFact.activity_id).in_(ids)))
    session.execute(delete(PreferenceFact).where(col(PreferenceFact.activity_id).in_(ids)))
