"""Slack threads as assistant threads: a reply in a Slack thread is a follow-up.

The assistant thread id is derived from the Slack workspace, channel, thread ts and
the asking CRM user (a sha256 prefix, 32 hex digits like a uuid4 hex), so every worker
maps the same Slack thread to the same memory without a lookup table, and two people in
one Slack thread keep separate memories (a thread belongs to one caller).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from crm.models import ConversationThread


def thread_key(team: str, channel: str, thread_ts: str, caller_id: str) -> str:
    """The assistant thread id of CRM user ``caller_id`` in one Slack thread."""
    raw = f"slack:{team}:{channel}:{thread_ts}:{caller_id}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def assistant_thread(engine: Engine, thread_id: str, caller_id: str) -> str:
    """Make sure ``thread_id`` exists (owned by ``caller_id``) and return it."""
    with Session(engine) as session:
        if session.get(ConversationThread, thread_id) is not None:
            return thread_id
        now = dt.datetime.now(dt.UTC)
        session.add(
            ConversationThread(id=thread_id, caller_id=caller_id, created_at=now, updated_at=now)
        )
        try:
            session.commit()
        except IntegrityError:  # another worker created it first
            session.rollback()
    return thread_id
