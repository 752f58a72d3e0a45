"""The real ChatOpenAI client over HTTP against a scripted OpenAI-compatible stub server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builders_assistant import StandInPlanner, build_world, make_assistant, names
from openai_stub import Step, call, error, say, serve
from sqlalchemy.engine import Engine

from assistant.answer import Answer
from tools.catalog import load_catalog


def ask_stub(engine: Engine, tmp_path: Path, url: str, question: str, **settings: Any) -> Answer:
    build_world(engine)
    assistant = make_assistant(
        engine, tmp_path, offline=StandInPlanner(), llm_model="stub", llm_base_url=url, **settings
    )
    return assistant.ask(question, caller="rep1")


def test_a_tool_call_round_trip_goes_over_the_wire(sqlite_store: Engine, tmp_path: Path) -> None:
    with serve([call("find_account", query="acme"), say("Acme is account A1.")]) as stub:
        answer = ask_stub(sqlite_store, tmp_path, stub.url, "who is Acme?")
    first, second = stub.requests
    assert first["model"] == "stub"
    assert [t["function"]["name"] for t in first["tools"]] == list(load_catalog())
    find = next(t["function"] for t in first["tools"] if t["function"]["name"] == "find_account")
    assert find["parameters"]["required"] == ["query"]
    assert "ctx" not in find["parameters"]["properties"]
    assert [m["role"] for m in first["messages"]] == ["system", "user"]
    assert first["messages"][1]["content"] == "who is Acme?"
    assistant_msg, tool_msg = second["messages"][2:]
    assert assistant_msg["tool_calls"][0]["function"]["name"] == "find_account"
    assert tool_msg["role"] == "tool" and tool_msg["tool_call_id"] == "call_1"
    assert '"resolved_account_id":"A1"' in tool_msg["content"]
    assert answer.planner == "llm"
    assert answer.text == "Acme is account A1."
    assert names(answer.tool_calls) == ["find_account"]


def test_429_and_500_are_retried(sqlite_store: Engine, tmp_path: Path) -> None:
    script = [error(500), error(429), say("Hello from the model.")]
    with serve(script) as stub:
        answer = ask_stub(sqlite_store, tmp_path, stub.url, "hi")
    assert len(stub.requests) == 3
    assert answer.planner == "llm"
    assert answer.text == "Hello from the model."


def test_a_server_that_keeps_failing_falls_back_to_the_offline_planner(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    with serve([error(503)] * 3) as stub:
        answer = ask_stub(sqlite_store, tmp_path, stub.url, "who is Acme?")
    assert len(stub.requests) == 3  # one try and two retries
    assert answer.planner == "offline"
    assert answer.text == "Acme is account A1."
    assert answer.notice == (
        "The LLM did not answer (the language model failed: HTTP 503); "
        "the offline planner answered."
    )


def test_a_server_slower_than_the_timeout_falls_back_to_the_offline_planner(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    slow = Step(say("too late").body, delay_s=1.0)
    with serve([slow] * 3) as stub:
        answer = ask_stub(sqlite_store, tmp_path, stub.url, "who is Acme?", llm_timeout_s=0.2)
    assert answer.planner == "offline"
    assert answer.notice is not None and "the language model failed: timed out" in answer.notice
