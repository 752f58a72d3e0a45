"""Every turn leaves an audit row: caller, question, planner, tool calls, answer, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders_assistant import BrokenPlanner, ScriptedChatModel, build_world, make_assistant
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.llm.agent import LLMPlanner
from crm.models import AuditEntry, ConversationTurn
from crm.scope import UnknownUser


def audit_rows(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)).all())  # type: ignore[arg-type]


def test_an_answered_turn_is_audited_with_its_tool_calls(engine: Engine, tmp_path: Path) -> None:
    build_world(engine)
    answer = make_assistant(engine, tmp_path).ask("who is Acme", caller="rep1")
    (row,) = audit_rows(engine)
    assert (row.caller_id, row.question, row.planner) == ("rep1", "who is Acme", "offline")
    assert (row.thread_id, row.answer, row.error) == (answer.thread_id, "Acme is account A1.", None)
    calls = json.loads(row.tool_calls)
    assert [(c["name"], c["args"], c["error"]) for c in calls] == [
        ("find_account", {"query": "Acme"}, None)
    ]
    assert row.duration_ms >= 0
    assert row.created_at.tzinfo is not None


def test_an_unknown_caller_is_audited_and_refused(engine: Engine, tmp_path: Path) -> None:
    build_world(engine)
    with pytest.raises(UnknownUser):
        make_assistant(engine, tmp_path).ask("who is Acme", caller="mallory")
    (row,) = audit_rows(engine)
    assert row.caller_id == "mallory"
    assert row.error == "UnknownUser: no CRM user with id 'mallory'"
    assert row.planner is None and row.answer is None


def test_a_crashing_planner_is_audited_and_leaves_no_turn_behind(
    engine: Engine, tmp_path: Path
) -> None:
    build_world(engine)
    with pytest.raises(RuntimeError, match="planner exploded"):
        make_assistant(engine, tmp_path, planner=BrokenPlanner()).ask("hi", caller="rep1")
    (row,) = audit_rows(engine)
    assert row.error == "RuntimeError: planner exploded"
    assert row.thread_id is not None
    with Session(engine) as session:
        assert session.exec(select(ConversationTurn)).all() == []


def test_a_fallback_to_the_offline_planner_is_audited_with_its_notice(
    engine: Engine, tmp_path: Path
) -> None:
    build_world(engine)

    def refuse(_: int) -> None:
        raise TimeoutError

    model = ScriptedChatModel(responses=[], on_call=refuse)
    make_assistant(engine, tmp_path, planner=LLMPlanner(model)).ask("who is Acme", caller="rep1")
    (row,) = audit_rows(engine)
    assert row.planner == "offline"
    assert row.notice == (
        "The LLM did not answer (the language model failed: TimeoutError); "
        "the offline planner answered."
    )
