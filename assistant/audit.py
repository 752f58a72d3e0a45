"""The audit log: every assistant turn, failures included, written to ``audit_log``.

The entry is written in its own session and transaction, so a turn whose work was
rolled back (an unknown caller, a crashing planner) is still on record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic_core import to_jsonable_python
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assistant.answer import ToolCallRecord
from crm.models import AuditEntry


@dataclass
class TurnLog:
    """What one turn did, filled in as the turn proceeds."""

    caller_id: str
    question: str
    thread_id: str | None = None
    planner: str | None = None
    tool_calls: Sequence[ToolCallRecord] = field(default_factory=list)
    answer: str | None = None
    notice: str | None = None
    error: str | None = None


def write_audit(engine: Engine, log: TurnLog, duration_ms: float) -> None:
    """Write ``log`` as one ``audit_log`` row (committed at once)."""
    calls = [
        {"name": c.name, "args": c.args, "error": c.error, "duration_ms": c.duration_ms}
        for c in log.tool_calls
    ]
    entry = AuditEntry(
        created_at=dt.datetime.now(dt.UTC),
        caller_id=log.caller_id,
        thread_id=log.thread_id,
        question=log.question,
        planner=log.planner,
        tool_calls=json.dumps(to_jsonable_python(calls)),
        answer=log.answer,
        notice=log.notice,
        error=log.error,
        duration_ms=round(duration_ms, 2),
    )
    with Session(engine) as session:
        session.add(entry)
        session.commit()
