"""Conversation memory per thread, kept in the CRM store so a restarted server keeps context.

A thread (id: uuid4 hex) belongs to the caller who started it. Loading it yields a
:class:`assistant.planner.ThreadMemory` with the last :data:`MEMORY_TURNS` question /
answer pairs and the entities in focus; another caller asking to continue it gets
:class:`UnknownThread`, worded like a missing thread so nothing leaks.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlmodel import Session, col, select

from assistant.planner import ThreadMemory
from crm.models import ConversationThread, ConversationTurn

MEMORY_TURNS = 6


class UnknownThread(LookupError):
    """The thread does not exist or belongs to another caller (never says which)."""

    def __init__(self, thread_id: str) -> None:
        super().__init__(f"thread {thread_id!r} not found or not yours")
        self.thread_id = thread_id


def load_thread(session: Session, thread_id: str, caller_id: str) -> ThreadMemory:
    """The memory of ``thread_id``, if ``caller_id`` owns it; else :class:`UnknownThread`."""
    thread = session.get(ConversationThread, thread_id)
    if thread is None or thread.caller_id != caller_id:
        raise UnknownThread(thread_id)
    rows = session.exec(
        select(ConversationTurn.question, ConversationTurn.answer)
        .where(col(ConversationTurn.thread_id) == thread_id)
        .order_by(col(ConversationTurn.id).desc())
        .limit(MEMORY_TURNS)
    ).all()
    turns = [(question, answer) for question, answer in reversed(rows)]
    return ThreadMemory(thread_id=thread_id, turns=turns, focus=json.loads(thread.focus))


def open_thread(session: Session, thread_id: str | None, caller_id: str) -> ThreadMemory:
    """Continue ``thread_id`` or, when it is ``None``, start a new (not yet stored) thread.

    A new thread is written by :func:`remember` at the end of the turn, so no write
    transaction is held while the planner works (SQLite allows one writer at a time).
    """
    if thread_id is None:
        return ThreadMemory(thread_id=uuid.uuid4().hex)
    return load_thread(session, thread_id, caller_id)


def remember(
    session: Session,
    memory: ThreadMemory,
    caller_id: str,
    turn: tuple[str, str],
    focus: dict[str, str],
) -> None:
    """Append a ``(question, answer)`` turn and merge ``focus`` into the thread (not committed).

    Creates the thread, owned by ``caller_id``, on its first turn. A planner's focus is
    merged over the stored one, so a planner only reports what the turn changed (an
    empty value clears nothing; use a new thread to start over).
    """
    now = dt.datetime.now(dt.UTC)
    thread = session.get(ConversationThread, memory.thread_id)
    if thread is None:
        thread = ConversationThread(
            id=memory.thread_id, caller_id=caller_id, created_at=now, updated_at=now
        )
    elif thread.caller_id != caller_id:
        raise UnknownThread(memory.thread_id)
    question, answer = turn
    thread.focus = json.dumps({**memory.focus, **focus}, sort_keys=True)
    thread.updated_at = now
    session.add(thread)
    session.add(
        ConversationTurn(
            thread_id=memory.thread_id, question=question, answer=answer, created_at=now
        )
    )
    session.flush()
