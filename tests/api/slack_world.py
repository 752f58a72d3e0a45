"""Fixtures of the Slack tests: the API world with Slack users, the app on a stub Web API.

rep1 (Rita) is mapped by ``slack_user_id`` U_RITA; rep2 (Rolf) has no Slack id and is
mapped by the e-mail of his Slack profile (U_ROLF); U_NOBODY's e-mail is no CRM user's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from builders_api import build_world, make_assistant, settings_for
from fastapi.testclient import TestClient
from slack_stub import SlackStub, running_stub, signed_headers
from sqlalchemy.engine import Engine

from api.app import create_app
from crm.db import session_scope
from crm.models import User
from crm.settings import Settings

SECRET = "test-signing-secret"


@dataclass
class SlackWorld:
    """The app, its stub Slack and helpers that send signed requests like Slack does.

    The helpers return the TestClient's response (an httpx response).
    """

    client: TestClient
    stub: SlackStub
    engine: Engine
    settings: Settings

    def post(self, body: str, content_type: str, **headers: str) -> Any:
        """POST a signed body to /slack/events."""
        signed = signed_headers(SECRET, body)
        return self.client.post(
            "/slack/events",
            content=body,
            headers={"Content-Type": content_type, **signed, **headers},
        )

    def event(self, event: dict[str, Any], event_id: str, **headers: str) -> Any:
        """Deliver an ``event_callback``."""
        body = {
            "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event": {"event_ts": event["ts"], **event}, "event_id": event_id,
            "event_time": int(time.time()),
        }  # fmt: skip
        return self.post(json.dumps(body), "application/json", **headers)

    def mention(self, user: str, text: str, ts: str, event_id: str, **extra: Any) -> Any:
        """Deliver an ``app_mention`` in channel C1."""
        event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "ts": ts}
        return self.event({**event, "channel": "C1", **extra}, event_id)

    def command(self, command: str, text: str, user: str, response: str) -> Any:
        """Run a slash command whose response URL is ``/response/<response>`` on the stub."""
        form = {
            "command": command, "text": text, "user_id": user, "team_id": "T1",
            "channel_id": "C1", "response_url": f"{self.stub.root}/response/{response}",
            "trigger_id": "1.2.3", "token": "legacy",
        }  # fmt: skip
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def interaction(self, payload: dict[str, Any]) -> Any:
        """Send an interactive payload (a button click)."""
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")


def map_slack_users(engine: Engine, stub: SlackStub) -> None:
    """Give rep1 a Slack id, rep2 an e-mail his Slack profile shows, and add a stranger."""
    with session_scope(engine) as session:
        rita, rolf = session.get(User, "rep1"), session.get(User, "rep2")
        assert rita is not None and rolf is not None
        rita.slack_user_id = "U_RITA"
        rolf.email = "rolf.rep@example.com"
        session.add_all([rita, rolf])
    stub.emails.update({"U_ROLF": "Rolf.Rep@Example.com", "U_NOBODY": "nobody@example.com"})


@pytest.fixture(name="slack")
def slack_fixture(engine: Engine, tmp_path: Path, note_index: object) -> Iterator[SlackWorld]:
    """The app with Slack configured against a stub Web API on 127.0.0.1."""
    build_world(engine)
    with running_stub() as stub:
        map_slack_users(engine, stub)
        settings = settings_for(
            tmp_path, slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
            slack_api_url=stub.url,
        )  # fmt: skip
        app = create_app(
            settings, engine=engine, assistant=make_assistant(engine, settings, note_index)
        )
        with TestClient(app, raise_server_exceptions=False) as client:
            yield SlackWorld(client=client, stub=stub, engine=engine, settings=settings)
        app.state.slack.listener_runner.listener_executor.shutdown(wait=True)  # lazy work done
