"""Conversation memory: per thread, in the store, owned by one caller, survives a restart."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from builders_assistant import StandInPlanner, build_world, make_assistant
from sqlalchemy.engine import Engine

from assistant.memory import MEMORY_TURNS, UnknownThread


def test_a_new_thread_gets_a_uuid4_hex_id(engine: Engine, tmp_path: Path) -> None:
    build_world(engine)
    answer = make_assistant(engine, tmp_path).ask("who is Acme", caller="rep1")
    assert uuid.UUID(hex=answer.thread_id).version == 4
    assert len(answer.thread_id) == 32


def test_a_restarted_assistant_remembers_the_turns_and_the_focus(
    engine: Engine, tmp_path: Path
) -> None:
    build_world(engine)
    first = make_assistant(engine, tmp_path).ask("who is Acme", caller="rep1")
    planner = StandInPlanner()
    restarted = make_assistant(engine, tmp_path, planner=planner)
    restarted.ask("and Acme?", caller="rep1", thread_id=first.thread_id)
    memory = planner.turns[0].memory
    assert memory.turns == [("who is Acme", "Acme is account A1.")]
    assert memory.focus == {"account_id": "A1"}


def test_another_caller_cannot_continue_a_thread(engine: Engine, tmp_path: Path) -> None:
    build_world(engine)
    assistant = make_assistant(engine, tmp_path)
    thread = assistant.ask("who is Acme", caller="rep1").thread_id
    with pytest.raises(UnknownThread, match="not found or not yours"):
        assistant.ask("who is Acme", caller="rep2", thread_id=thread)


def test_an_unknown_thread_reads_exactly_like_someone_elses(engine: Engine, tmp_path: Path) -> None:
    build_world(engine)
    with pytest.raises(UnknownThread) as missing:
        make_assistant(engine, tmp_path).ask("hi Acme", caller="rep1", thread_id="ab" * 16)
    assert str(missing.value) == f"thread {'ab' * 16!r} not found or not yours"


def test_memory_keeps_only_the_last_turns(engine: Engine, tmp_path: Path) -> None:
    build_world(engine)
    planner = StandInPlanner()
    assistant = make_assistant(engine, tmp_path, planner=planner)
    thread = None
    for i in range(MEMORY_TURNS + 2):
        thread = assistant.ask(f"q{i} Acme", caller="rep1", thread_id=thread).thread_id
    remembered = [q for q, _ in planner.turns[-1].memory.turns]
    assert remembered == [f"q{i} Acme" for i in range(1, MEMORY_TURNS + 1)]


def test_a_turn_updates_the_focus_without_forgetting_the_rest(
    engine: Engine, tmp_path: Path
) -> None:
    build_world(engine)
    planner = StandInPlanner()
    assistant = make_assistant(engine, tmp_path, planner=planner)
    thread = assistant.ask("who is Acme", caller="admin").thread_id
    planner.turns.clear()
    assistant.ask("who is Brightline", caller="admin", thread_id=thread)
    assistant.ask("and again Brightline", caller="admin", thread_id=thread)
    assert planner.turns[-1].memory.focus == {"account_id": "A2"}
