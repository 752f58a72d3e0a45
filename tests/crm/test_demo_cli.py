"""``dealwise demo`` builds, describes, refuses to overwrite, and replaces on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from crm.db import make_engine
from crm.settings import get_settings
from tests.crm.demo_queries import read


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("DEALWISE_DATABASE_URL", url)
    get_settings.cache_clear()
    return url


def demo(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["demo", "--scale", "0.2", "--as-of", "2026-06-30", *args])
    return result.exit_code, result.output


def test_demo_builds_the_world_and_prints_what_is_in_it(store: str) -> None:
    code, output = demo()
    assert code == 0, output
    for heading in (
        "Rows",
        "Revenue",
        "Accounts by behaviour",
        "Pipeline by stage",
        "Planted scenarios",
        "Ask about",
    ):
        assert heading in output
    assert "U0REP01" in output
    assert read(make_engine(store), "SELECT COUNT(*) AS n FROM accounts")["n"][0] == 40


def test_demo_refuses_to_overwrite_a_store_with_data(store: str) -> None:
    assert demo()[0] == 0
    code, output = demo("--seed", "3")
    assert code != 0
    assert "--replace" in output


def test_demo_replace_empties_the_store_and_builds_the_new_world(store: str) -> None:
    assert demo()[0] == 0
    first = read(make_engine(store), "SELECT name FROM accounts ORDER BY id")
    code, output = demo("--seed", "3", "--replace")
    assert code == 0, output
    second = read(make_engine(store), "SELECT name FROM accounts ORDER BY id")
    assert len(second) == len(first)
    assert list(second["name"]) != list(first["name"])
