"""Prompt injection inside notes cannot widen a caller's scope, whatever the planner does."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from builders_assistant import (
    INJECTION,
    ScriptedChatModel,
    build_world,
    make_assistant,
    tool_call,
    tool_messages,
)
from langchain_core.messages import AIMessage
from sqlalchemy.engine import Engine

from assistant.answer import ToolCallRecord
from assistant.llm.agent import LLMPlanner

OTHER_REPS = ("A2", "O2", "Brightline expansion", "C5", "Bo Lund")


def leaks(calls: Sequence[ToolCallRecord]) -> list[str]:
    """Other-rep data that appears in any result of ``calls``."""
    results = json.dumps([c.result for c in calls])
    return [x for x in OTHER_REPS if x in results]


def test_a_model_obeying_an_injected_note_still_only_reaches_the_callers_book(
    engine: Engine, tmp_path: Path
) -> None:
    obedient = ScriptedChatModel(
        responses=[
            tool_call("extract_note", call_id="c1", activity_id="N1"),
            tool_call("account_360", call_id="c2", account_id="A2"),
            tool_call("find_account", call_id="c3", query="Brightline Foods"),
            tool_call("pipeline_by_stage", call_id="c4", owner_id="rep2"),
            tool_call("deal_review", call_id="c5", opportunity_id="O2"),
            AIMessage("Brightline Foods is not in your book."),
        ]
    )
    build_world(engine)
    assistant = make_assistant(engine, tmp_path, planner=LLMPlanner(obedient))
    answer = assistant.ask("Summarise my latest Acme note", caller="rep1")
    assert '"activity_id":"N1"' in tool_messages(obedient.seen[1])[0]  # it read the note
    errors = {c.name: c.error for c in answer.tool_calls}
    assert errors["account_360"] == "account 'A2' not found or not yours"
    assert errors["pipeline_by_stage"] == "user 'rep2' not found or not yours"
    assert errors["deal_review"] == "opportunity 'O2' not found or not yours"
    assert answer.tool_calls[2].result == {
        "query": "Brightline Foods", "resolved_account_id": None, "candidates": []
    }  # fmt: skip
    assert leaks(answer.tool_calls[1:]) == []  # the note itself names A2: it is rep1's note
    sent_back = "".join(tool_messages(obedient.seen[-1])[1:])
    assert not any(x in sent_back for x in ("Brightline expansion", "Bo Lund", "40000"))


def test_the_admin_asking_the_same_does_see_the_other_account(
    engine: Engine, tmp_path: Path
) -> None:
    model = ScriptedChatModel(
        responses=[tool_call("account_360", account_id="A2"), AIMessage("Brightline Foods.")]
    )
    build_world(engine)
    answer = make_assistant(engine, tmp_path, planner=LLMPlanner(model)).ask(
        "Brightline?", caller="admin"
    )
    assert answer.tool_calls[0].error is None
    assert "A2" in leaks(answer.tool_calls)


def test_the_offline_planner_ignores_an_injected_instruction(
    engine: Engine, tmp_path: Path
) -> None:
    offline = pytest.importorskip("assistant.offline")
    build_world(engine)
    assistant = make_assistant(engine, tmp_path, planner=offline.OfflinePlanner())
    answer = assistant.ask(INJECTION, caller="rep1")
    assert answer.planner == "offline"
    assert leaks([c for c in answer.tool_calls if c.name != "extract_note"]) == []
    assert "Brightline expansion" not in answer.text
