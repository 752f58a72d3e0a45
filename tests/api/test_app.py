"""``create_app``: the Slack endpoint is mounted only when Slack is configured."""

from __future__ import annotations

from pathlib import Path

from builders_api import settings_for
from fastapi import FastAPI

from api.app import create_app


def _paths(app: FastAPI) -> set[str]:
    """Top-level routes (the Slack endpoint, the page) and every documented path."""
    return {str(getattr(route, "path", "")) for route in app.routes} | set(app.openapi()["paths"])


def test_without_slack_settings_there_is_no_slack_endpoint(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path, database_url="sqlite://"))
    assert "/slack/events" not in _paths(app)
    assert {"/", "/healthz", "/v1/ask"} <= _paths(app)


def test_with_slack_settings_the_slack_app_mounts_on_the_same_app(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path,
        database_url="sqlite://",
        slack_bot_token="xoxb-test",
        slack_signing_secret="not-a-secret",
        slack_api_url="http://127.0.0.1:9/api/",
    )
    assert "/slack/events" in _paths(create_app(settings))
