"""Socket Mode: the Slack app over a WebSocket, for deployments without a public URL.

``dealwise slack --socket`` opens a connection with the app-level token
(``DEALWISE_SLACK_APP_TOKEN``, ``xapp-…``, scope ``connections:write``) through
``apps.connections.open``. Keepalive and reconnects are the built-in
:class:`slack_sdk.socket_mode.builtin.SocketModeClient`'s: it pings every
``ping_interval`` seconds, treats a missing pong as a dead connection, and with
``auto_reconnect_enabled`` opens a fresh URL (Slack also rotates connections every few
hours and sends a ``disconnect`` message first). Requests arrive unsigned over the
socket, so the signing secret is not needed in this mode; dedupe by event id still
applies (Slack redelivers unacknowledged envelopes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from api.slack.app import SlackNotConfigured, build_app
from crm.settings import Settings

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from assistant.service import Assistant

PING_INTERVAL_S = 10.0


def socket_handler(
    settings: Settings,
    *,
    engine: Engine,
    assistant: Assistant,
    ping_interval: float = PING_INTERVAL_S,
) -> SocketModeHandler:
    """A Socket Mode handler for the Dealwise Bolt app (not yet connected)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if settings.slack_app_token is None:
        raise SlackNotConfigured("set DEALWISE_SLACK_APP_TOKEN (xapp-…) for Socket Mode")
    app = build_app(settings, engine=engine, assistant=assistant)
    return SocketModeHandler(
        app,
        settings.slack_app_token.get_secret_value(),
        auto_reconnect_enabled=True,
        ping_interval=ping_interval,
    )
