"""``dealwise ask --json`` prints exactly one JSON document on stdout, whatever the question."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from api.cli.main import app

QUESTIONS = [
    "What should I do next?",
    "what's my forecast this quarter?",
    "Review the deal OPP-00310",
    "tell me a joke",
    "how is Maple Logistics doing",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_ask_json_prints_one_parseable_document(
    demo_world: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, question: str
) -> None:
    monkeypatch.setenv("DEALWISE_DATABASE_URL", str(demo_world.url))
    monkeypatch.setenv("DEALWISE_AS_OF", "2026-06-30")
    monkeypatch.setenv("DEALWISE_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["ask", "--json", "-u", "rep06", question])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["planner"] == "offline"
    assert answer["text"]
