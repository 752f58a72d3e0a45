"""``dealwise ask`` and ``dealwise chat`` on a small store; the CLI does not load torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from builders_assistant import StandInPlanner, build_world
from openai_stub import call, say, serve
from typer.testing import CliRunner

from api.cli.main import app
from crm.db import create_all, make_engine

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file with the small world, configured as the store; stand-in offline planner."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    create_all(engine)
    build_world(engine)
    engine.dispose()
    monkeypatch.setenv("DEALWISE_DATABASE_URL", url)
    monkeypatch.setenv("DEALWISE_AS_OF", "2026-06-30")
    monkeypatch.setenv("DEALWISE_DATA_DIR", str(tmp_path))
    module = types.ModuleType("assistant.offline")
    module.OfflinePlanner = StandInPlanner  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "assistant.offline", module)
    return url


def test_ask_json_prints_the_whole_answer_for_the_default_admin(store: str) -> None:
    result = runner.invoke(app, ["ask", "--json", "who is Brightline"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["text"] == "Brightline is account A2."
    assert answer["planner"] == "offline"
    assert answer["tool_calls"][0]["name"] == "find_account"


def test_ask_as_a_rep_follows_up_in_a_thread(store: str) -> None:
    first = json.loads(runner.invoke(app, ["ask", "--json", "-u", "rep1", "who is Acme"]).output)
    second = runner.invoke(
        app, ["ask", "-u", "rep1", "--thread", first["thread_id"], "and Brightline"]
    )
    assert second.exit_code == 0, second.output
    assert "No account Brightline in your book." in second.output
    assert f"--thread {first['thread_id']}" in second.output


def test_ask_refuses_an_unknown_user_or_someone_elses_thread(store: str) -> None:
    first = json.loads(runner.invoke(app, ["ask", "--json", "-u", "rep1", "who is Acme"]).output)
    unknown = runner.invoke(app, ["ask", "-u", "mallory", "hi"])
    stolen = runner.invoke(app, ["ask", "-u", "rep2", "--thread", first["thread_id"], "hi"])
    assert unknown.exit_code == stolen.exit_code == 2
    assert "no CRM user with id 'mallory'" in unknown.output
    assert "not found or not yours" in stolen.output


def test_chat_answers_shows_the_trace_and_switches_user(store: str) -> None:
    lines = "who is Acme\n/trace\n/user rep2\nwho is Acme\n/quit\nnever asked\n"
    result = runner.invoke(app, ["chat"], input=lines)
    assert result.exit_code == 0, result.output
    assert "Acme is account A1." in result.output
    assert "tool calls of the last turn" in result.output and '{"query": "Acme"}' in result.output
    assert "now asking as rep2" in result.output
    assert "No account Acme in your book." in result.output
    assert "never" not in result.output.split("/quit")[-1]


@pytest.mark.parametrize("planner", ["llm", "offline"])
def test_the_cli_does_not_import_torch_for_a_pipeline_question(
    tmp_path: Path, planner: str
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    create_all(engine)
    build_world(engine)
    engine.dispose()
    probe = (
        "import sys\n"
        "from api.cli.main import app\n"
        "app(['ask', '--json', 'pipeline by stage'], standalone_mode=False)\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'chromadb') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    script = [call("pipeline_by_stage"), say("Here is your pipeline by stage.")]
    with serve(script) as stub:
        env = {
            **os.environ,
            "DEALWISE_DATABASE_URL": url,
            "DEALWISE_AS_OF": "2026-06-30",
            "DEALWISE_DATA_DIR": str(tmp_path),
        }
        if planner == "llm":
            env |= {"DEALWISE_LLM_MODEL": "stub", "DEALWISE_LLM_BASE_URL": stub.url}
        done = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout[: done.stdout.rindex("HEAVY=")])
    assert answer["planner"] == planner
    assert answer["tool_calls"][0]["name"] == "pipeline_by_stage"
    assert done.stdout.rstrip().endswith("HEAVY=")
