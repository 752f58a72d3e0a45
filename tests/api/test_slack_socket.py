"""Socket Mode and the ``dealwise slack`` command, without connecting anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders_api import settings_for
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from api.cli.main import app as cli
from api.slack.app import SlackNotConfigured, build_app
from api.slack.socket import socket_handler
from assistant.service import Assistant


def test_socket_mode_needs_the_app_token(sqlite_store: Engine, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, slack_bot_token="xoxb-test")
    with pytest.raises(SlackNotConfigured, match="DEALWISE_SLACK_APP_TOKEN"):
        socket_handler(settings, engine=sqlite_store, assistant=Assistant(settings, sqlite_store))


def test_the_socket_handler_reconnects_and_pings_on_the_configured_api_url(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    settings = settings_for(
        tmp_path, slack_bot_token="xoxb-test", slack_app_token="xapp-test",
        slack_api_url="http://127.0.0.1:9/api",
    )  # fmt: skip
    handler = socket_handler(
        settings, engine=sqlite_store, assistant=Assistant(settings, sqlite_store), ping_interval=7
    )
    assert handler.client.auto_reconnect_enabled is True
    assert handler.client.ping_interval == 7
    assert handler.client.web_client.base_url == "http://127.0.0.1:9/api/"


def test_the_app_needs_a_bot_token(sqlite_store: Engine, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with pytest.raises(SlackNotConfigured, match="DEALWISE_SLACK_BOT_TOKEN"):
        build_app(settings, engine=sqlite_store, assistant=Assistant(settings, sqlite_store))


def test_the_slack_command_without_socket_points_to_serve() -> None:
    result = CliRunner().invoke(cli, ["slack"])
    assert result.exit_code == 2
    assert "dealwise serve" in result.output


def test_the_slack_command_without_an_app_token_fails_clearly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEALWISE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("DEALWISE_SLACK_BOT_TOKEN", "xoxb-test")
    result = CliRunner().invoke(cli, ["slack", "--socket"])
    assert result.exit_code == 2
    assert "DEALWISE_SLACK_APP_TOKEN" in result.output


def test_the_manifest_declares_the_commands_scopes_and_events_the_app_handles() -> None:
    import yaml

    from api.slack.commands import COMMANDS

    manifest = yaml.safe_load((Path(__file__).parents[2] / "slack" / "manifest.yaml").read_text())
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == list(COMMANDS)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read", "chat:write", "im:history", "im:read", "commands", "users:read",
        "users:read.email", "files:write", "reactions:write",
    }  # fmt: skip
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_mention",
        "message.im",
    ]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
