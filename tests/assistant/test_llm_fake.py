"""The LLM planner against a scripted fake chat model: schemas, round trips, the guard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from builders_assistant import (
    ScriptedChatModel,
    StandInPlanner,
    build_world,
    make_assistant,
    names,
    tool_call,
    tool_messages,
)
from langchain_core.messages import AIMessage
from sqlalchemy.engine import Engine

from assistant.llm.agent import LLMPlanner, remove_figures
from tools.catalog import load_catalog


def untitled(schema: Any) -> Any:
    """A JSON schema without the ``title`` keys (the OpenAI tool format drops them)."""
    if isinstance(schema, dict):
        return {k: untitled(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [untitled(v) for v in schema]
    return schema


def ask_with(engine: Engine, tmp_path: Path, model: ScriptedChatModel, question: str, **kw: object):
    build_world(engine)
    assistant = make_assistant(engine, tmp_path, planner=LLMPlanner(model, **kw))  # type: ignore[arg-type]
    return assistant.ask(question, caller="rep1")


def test_every_catalog_schema_reaches_the_model_without_the_tool_context(
    engine: Engine, tmp_path: Path
) -> None:
    model = ScriptedChatModel(responses=[AIMessage("Hello.")])
    ask_with(engine, tmp_path, model, "hi")
    sent = {t["function"]["name"]: t["function"] for t in model.tools}
    catalog = load_catalog()
    assert sent.keys() == catalog.keys()
    for name, spec in catalog.items():
        assert sent[name]["parameters"]["properties"] == untitled(spec.input_schema()["properties"])
        assert sent[name]["description"].startswith(spec.summary)
    text = json.dumps(model.tools)
    for leaked in ("ctx", "ToolContext", "session", "scope", "as_of_end"):
        assert f'"{leaked}"' not in text


def test_a_tool_round_trip_reaches_the_model_and_the_answer_carries_the_trace(
    engine: Engine, tmp_path: Path
) -> None:
    model = ScriptedChatModel(
        responses=[
            tool_call("find_account", query="acme"),
            AIMessage("Acme is account A1; its renewal O1 is worth EUR 120,000."),
        ]
    )
    model.responses.insert(1, tool_call("account_360", call_id="call_2", account_id="A1"))
    answer = ask_with(engine, tmp_path, model, "Tell me about Acme")
    assert names(answer.tool_calls) == ["find_account", "account_360"]
    assert answer.tool_calls[0].args == {"query": "acme"}
    assert answer.tool_calls[0].result is not None
    assert answer.tool_calls[0].result["resolved_account_id"] == "A1"
    last_request = model.seen[-1]
    assert '"resolved_account_id":"A1"' in tool_messages(last_request)[0]
    assert '"open_pipeline":120000.0' in tool_messages(last_request)[1]
    assert answer.planner == "llm"
    assert answer.text == "Acme is account A1; its renewal O1 is worth EUR 120,000."
    assert ("accounts", "A1") in {(c.table, c.id) for c in answer.citations}


def test_the_system_prompt_names_the_caller_and_the_analysis_date(
    engine: Engine, tmp_path: Path
) -> None:
    model = ScriptedChatModel(responses=[AIMessage("Hello.")])
    ask_with(engine, tmp_path, model, "hi")
    system = model.seen[0][0]
    assert system.type == "system"
    assert "Rita Rep (rep)" in str(system.content)
    assert "Today is 2026-06-30" in str(system.content)


def test_a_tool_error_goes_back_to_the_model_as_text_and_into_the_trace(
    engine: Engine, tmp_path: Path
) -> None:
    model = ScriptedChatModel(
        responses=[tool_call("account_360", account_id="NOPE"), AIMessage("Not in your book.")]
    )
    answer = ask_with(engine, tmp_path, model, "Tell me about NOPE")
    assert tool_messages(model.seen[-1]) == ["error: account 'NOPE' not found or not yours"]
    assert answer.tool_calls[0].error == "account 'NOPE' not found or not yours"


def test_bad_arguments_are_traced_and_reported_to_the_model(engine: Engine, tmp_path: Path) -> None:
    model = ScriptedChatModel(
        responses=[tool_call("find_account", limit="many"), AIMessage("Which account?")]
    )
    answer = ask_with(engine, tmp_path, model, "find it")
    error = answer.tool_calls[0].error or ""
    assert error.startswith("bad arguments:")
    assert "query" in error and "limit" in error
    assert tool_messages(model.seen[-1])[0] == f"error: {error}"


def test_an_invented_figure_is_corrected_on_the_retry(engine: Engine, tmp_path: Path) -> None:
    model = ScriptedChatModel(
        responses=[
            tool_call("account_360", account_id="A1"),
            AIMessage("Acme has EUR 150,000 in open pipeline."),
            AIMessage("Acme has EUR 120,000 in open pipeline."),
        ]
    )
    answer = ask_with(engine, tmp_path, model, "Acme pipeline?")
    retry_prompt = str(model.seen[-1][-1].content)
    assert "150,000" in retry_prompt and "do not appear in any tool result" in retry_prompt
    assert answer.text == "Acme has EUR 120,000 in open pipeline."


def test_a_figure_still_invented_after_the_retry_is_removed(engine: Engine, tmp_path: Path) -> None:
    model = ScriptedChatModel(
        responses=[
            tool_call("account_360", account_id="A1"),
            AIMessage("Acme: EUR 120,000 open, win chance 87%."),
            AIMessage("Acme: EUR 120,000 open, win chance 87%."),
        ]
    )
    answer = ask_with(engine, tmp_path, model, "Acme pipeline?")
    assert len(model.seen) == 3
    assert answer.text == "Acme: EUR 120,000 open, win chance [figure removed]."


def test_remove_figures_leaves_ids_and_longer_numbers_alone() -> None:
    text = "Order R15 of 15 units, 150 in stock, 15% off, 1.5 days; 15."
    assert remove_figures(text, ["15", "15%"]) == (
        "Order R15 of [figure removed] units, 150 in stock, [figure removed] off, 1.5 days; "
        "[figure removed]."
    )


def test_too_many_tool_rounds_fall_back_to_the_offline_planner_with_a_notice(
    engine: Engine, tmp_path: Path
) -> None:
    build_world(engine)
    endless = [tool_call("find_account", call_id=f"c{i}", query="acme") for i in range(9)]
    model = ScriptedChatModel(responses=endless)
    offline = StandInPlanner()
    assistant = make_assistant(
        engine, tmp_path, planner=LLMPlanner(model, max_tool_rounds=2), offline=offline
    )
    answer = assistant.ask("who is Acme", caller="rep1")
    assert len(model.seen) == 3  # two rounds ran; the third request for a tool is refused
    assert answer.planner == "offline"
    assert answer.text == "Acme is account A1."
    assert answer.notice is not None and "more than 2 tool rounds" in answer.notice


def test_a_model_error_falls_back_to_the_offline_planner(engine: Engine, tmp_path: Path) -> None:
    def fail(_: int) -> None:
        raise ConnectionError("refused")

    model = ScriptedChatModel(responses=[AIMessage("never")], on_call=fail)
    build_world(engine)
    assistant = make_assistant(engine, tmp_path, planner=LLMPlanner(model))
    answer = assistant.ask("who is Acme", caller="rep1")
    assert answer.planner == "offline"
    assert answer.notice == (
        "The LLM did not answer (the language model failed: ConnectionError); "
        "the offline planner answered."
    )


def test_an_empty_reply_is_a_failure_not_an_empty_answer(engine: Engine, tmp_path: Path) -> None:
    model = ScriptedChatModel(responses=[AIMessage("")])
    answer = ask_with(engine, tmp_path, model, "who is Acme")
    assert answer.planner == "offline"
    assert answer.notice is not None and "returned no answer" in answer.notice


@pytest.mark.parametrize("rounds", [1, 3])
def test_the_round_limit_counts_tool_rounds(engine: Engine, tmp_path: Path, rounds: int) -> None:
    script = [tool_call("find_account", call_id=f"c{i}", query="acme") for i in range(rounds)]
    model = ScriptedChatModel(responses=[*script, AIMessage("Acme is A1.")])
    answer = ask_with(engine, tmp_path, model, "who is Acme", max_tool_rounds=rounds)
    assert answer.planner == "llm"
    assert len(answer.tool_calls) == rounds
