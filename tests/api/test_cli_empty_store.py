from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.main import app


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "which of my customers are slipping away?"],
        ["stats"],
        ["tool", "account_rfm", "--account-id", "A1"],
        ["tour"],
    ],
)
def test_a_command_on_a_store_without_tables_says_how_to_fill_it(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALWISE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "has no Dealwise tables yet" in result.output
    assert "dealwise demo" in result.output
    assert "Traceback" not in result.output
