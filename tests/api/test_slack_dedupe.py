"""Event ids stored in the CRM store: each Slack event is processed once; old ids expire."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.slack.dedupe import first_delivery, forget_before
from api.slack.threads import assistant_thread, thread_key
from crm.db import session_scope
from crm.models import ConversationThread, SlackEvent, User


def test_only_the_first_delivery_of_an_event_id_counts(engine: Engine) -> None:
    assert first_delivery(engine, "Ev1") is True
    assert first_delivery(engine, "Ev1") is False
    assert first_delivery(engine, "Ev2") is True


def test_event_ids_received_before_the_cutoff_are_forgotten(engine: Engine) -> None:
    now = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
    with session_scope(engine) as session:
        session.add(SlackEvent(event_id="old", received_at=now - dt.timedelta(days=3)))
        session.add(SlackEvent(event_id="new", received_at=now - dt.timedelta(hours=1)))
    assert forget_before(engine, now - dt.timedelta(days=2)) == 1
    with Session(engine) as session:
        assert session.exec(select(SlackEvent.event_id)).all() == ["new"]


def test_a_slack_thread_maps_to_one_assistant_thread_per_caller(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(User(id="rep1", name="Rita"))
    key = thread_key("T1", "C1", "100.1", "rep1")
    assert len(key) == 32 and int(key, 16) >= 0
    assert key == thread_key("T1", "C1", "100.1", "rep1")
    assert key != thread_key("T1", "C1", "100.1", "rep2")
    assert assistant_thread(engine, key, "rep1") == assistant_thread(engine, key, "rep1") == key
    with Session(engine) as session:
        threads = session.exec(select(ConversationThread)).all()
    assert [(t.id, t.caller_id) for t in threads] == [(key, "rep1")]
