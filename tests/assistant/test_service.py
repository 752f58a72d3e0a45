"""assistant.ask: planner choice, the caller's context, citations, the module-level entry."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from builders_assistant import StandInPlanner, build_world, make_assistant, settings_for
from sqlalchemy.engine import Engine

from assistant import service
from assistant.llm.agent import LLMPlanner
from assistant.llm.model import LLMNotConfigured
from assistant.service import Assistant
from crm.db import create_all, make_engine
from knowledge.search import NoteIndex


@pytest.fixture
def fake_offline_module(monkeypatch: pytest.MonkeyPatch) -> type[StandInPlanner]:
    """``assistant.offline`` replaced by a module whose OfflinePlanner is the stand-in."""
    module = types.ModuleType("assistant.offline")
    module.OfflinePlanner = StandInPlanner  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "assistant.offline", module)
    return StandInPlanner


def test_without_a_model_the_offline_planner_answers(
    sqlite_store: Engine, tmp_path: Path, fake_offline_module: type[StandInPlanner]
) -> None:
    build_world(sqlite_store)
    assistant = Assistant(settings_for(tmp_path), sqlite_store, knowledge=object())
    answer = assistant.ask("who is Acme", caller="rep1")
    assert isinstance(assistant.planner, fake_offline_module)
    assert (answer.planner, answer.text, answer.notice) == ("offline", "Acme is account A1.", None)


def test_with_a_model_the_llm_planner_is_built_from_the_settings(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path, llm_model="qwen2.5", llm_base_url="http://127.0.0.1:9/v1", llm_timeout_s=7
    )
    planner = Assistant(settings, make_engine("sqlite://")).planner
    assert isinstance(planner, LLMPlanner)
    model = planner.model
    assert (model.model_name, model.openai_api_base, model.request_timeout) == (  # type: ignore[attr-defined]
        "qwen2.5", "http://127.0.0.1:9/v1", 7.0
    )  # fmt: skip
    assert model.openai_api_key.get_secret_value() == "not-needed"  # type: ignore[attr-defined]


def test_openai_itself_needs_a_key_and_takes_openai_api_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(tmp_path, llm_model="gpt-4o-mini")
    with pytest.raises(LLMNotConfigured, match="OPENAI_API_KEY"):
        Assistant(settings, make_engine("sqlite://")).planner  # noqa: B018
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    model = Assistant(settings, make_engine("sqlite://")).planner.model  # type: ignore[attr-defined]
    assert model.openai_api_key.get_secret_value() == "sk-test"


def test_tools_see_the_callers_scope_date_and_the_notes_index(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    build_world(sqlite_store)
    planner = StandInPlanner()
    assistant = Assistant(settings_for(tmp_path), sqlite_store, planner=planner)
    rep2 = assistant.ask("who is Acme", caller="rep2")
    ctx = planner.turns[0].ctx
    assert ctx.scope.owner_ids == frozenset({"rep2"})
    assert str(ctx.as_of) == "2026-06-30"
    assert isinstance(ctx.knowledge, NoteIndex)
    assert rep2.text == "No account Acme in your book."


def test_the_answer_cites_the_records_behind_it(engine: Engine, tmp_path: Path) -> None:
    build_world(engine)
    answer = make_assistant(engine, tmp_path).ask("who is Acme", caller="rep1")
    assert [(c.kind, c.table, c.id) for c in answer.citations] == [("record", "accounts", "A1")]


def test_the_module_level_ask_uses_the_configured_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_offline_module: type[StandInPlanner]
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = make_engine(url)
    create_all(store)
    build_world(store)
    monkeypatch.setenv("DEALWISE_DATABASE_URL", url)
    monkeypatch.setenv("DEALWISE_AS_OF", "2026-06-30")
    monkeypatch.setenv("DEALWISE_DATA_DIR", str(tmp_path))
    service.default_assistant.cache_clear()
    try:
        answer = service.ask("who is Acme", caller="admin")
    finally:
        service.default_assistant.cache_clear()
    assert answer.text == "Acme is account A1."
