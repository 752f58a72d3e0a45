"""``dealwise db upgrade|current`` and ``dealwise import`` end to end on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_builders import EXAMPLE, example_folder, replace_in
from typer.testing import CliRunner

from api.cli.main import app

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store.db"
    monkeypatch.setenv("DEALWISE_DATABASE_URL", f"sqlite:///{path}")
    return path


def test_db_upgrade_creates_the_schema_and_current_names_it(store: Path) -> None:
    assert "none" in runner.invoke(app, ["db", "current"]).output
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    current = runner.invoke(app, ["db", "current"]).output.splitlines()
    assert current[0].removeprefix("store: ") == current[1].removeprefix("newest: ")


def test_import_prints_counts_and_a_second_run_changes_nothing(store: Path) -> None:
    first = runner.invoke(app, ["import", str(EXAMPLE)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["import", str(EXAMPLE)])
    assert "│ orders.csv             │    3 │        0 │       0 │         3 │" in second.output


def test_import_with_errors_exits_non_zero_and_lists_them(store: Path, tmp_path: Path) -> None:
    folder = example_folder(tmp_path)
    replace_in(folder / "surveys.csv", "2024-03-31,9", "2024-03-31,ten")
    result = runner.invoke(app, ["import", str(folder)])
    assert result.exit_code == 1
    assert "surveys.csv:2: nps: not a whole number ('ten')" in result.output
    assert "1 problem(s); nothing was written" in result.output


def test_import_with_the_example_mapping(store: Path) -> None:
    runner.invoke(app, ["import", str(EXAMPLE)])
    mapping = EXAMPLE.parent / "mapping.yaml"
    result = runner.invoke(
        app, ["import", str(EXAMPLE.parent / "foreign"), "--mapping", str(mapping)]
    )
    assert result.exit_code == 0, result.output
    assert "deals.csv" in result.output
