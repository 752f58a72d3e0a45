"""Answer each Slack event exactly once, however often Slack delivers it.

Slack re-sends an event (with ``X-Slack-Retry-Num``) when the ack took longer than
3 seconds or failed. Every delivery is acked at once; the lazy listener then inserts the
event id into ``slack_events`` before doing any work. The primary key makes every later
insert of the same id fail, on every worker, so a repeat is dropped. The check runs after
the ack, not before it, so that no database write ever delays an ack.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from crm.models import SlackEvent

KEEP = dt.timedelta(days=2)


def first_delivery(engine: Engine, event_id: str) -> bool:
    """Record ``event_id``; True the first time it is seen, False for any repeat."""
    with Session(engine) as session:
        session.add(SlackEvent(event_id=event_id, received_at=dt.datetime.now(dt.UTC)))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def forget_before(engine: Engine, cutoff: dt.datetime) -> int:
    """Delete event ids received before ``cutoff`` (Slack retries within minutes)."""
    with Session(engine) as session:
        result = session.execute(delete(SlackEvent).where(col(SlackEvent.received_at) < cutoff))
        session.commit()
        return int(getattr(result, "rowcount", 0) or 0)
