"""``dealwise extract``: a text without a store, or a stored note, as JSON or tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from crm.db import create_all, make_engine
from crm.settings import get_settings
from tests.knowledge.builders_extract import build_world

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'dw.db'}")
    create_all(engine)
    build_world(engine)
    engine.dispose()
    monkeypatch.setenv("DEALWISE_DATABASE_URL", f"sqlite:///{tmp_path / 'dw.db'}")
    monkeypatch.setenv("DEALWISE_AS_OF", "2024-06-30")
    get_settings.cache_clear()


def test_extract_text_prints_the_documented_json() -> None:
    text = "Maria Chen will sign off, while Tom Berg is checking security. They pay net 60."
    result = runner.invoke(app, ["extract", "--text", text, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(c["name"], c["role"]) for c in data["contacts"]] == [
        ("Maria Chen", "decision_maker"),
        ("Tom Berg", "technical_evaluator"),
    ]
    assert set(data["contacts"][0]) >= {"name", "role", "stance", "influence", "evidence"}
    assert data["preferences"] == [
        {
            "category": "payment_terms",
            "value": "net 60",
            "person": None,
            "evidence": ["They pay net 60."],
        }
    ]


def test_extract_prints_tables_without_json() -> None:
    result = runner.invoke(app, ["extract", "--text", "赵总负责最终审批。"])
    assert result.exit_code == 0, result.output
    assert "赵总" in result.output and "decision_maker" in result.output


def test_extract_needs_exactly_one_of_text_or_note() -> None:
    result = runner.invoke(app, ["extract"])
    assert result.exit_code == 2
    assert "exactly one of --text or --note" in result.output


def test_extract_reads_a_stored_note(store: None) -> None:
    result = runner.invoke(app, ["extract", "--note", "N2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["contacts"][0]["contact_id"] == "C1"
    assert data["preferences"][0]["value"] == "prefers WhatsApp"


def test_extract_links_a_text_to_an_accounts_contacts(store: None) -> None:
    result = runner.invoke(
        app, ["extract", "--text", "The CFO has the final say.", "--account", "A1", "--json"]
    )
    assert result.exit_code == 0, result.output
    [person] = json.loads(result.output)["contacts"]
    assert (person["name"], person["contact_id"], person["role"]) == (
        "Maria Chen",
        "C1",
        "decision_maker",
    )


def test_extract_refuses_a_note_the_user_may_not_see(store: None) -> None:
    result = runner.invoke(app, ["extract", "--note", "N3", "--user", "rep1"])
    assert result.exit_code == 1
    assert "not found or not yours" in result.output
