"""``dealwise slack --socket``: run the Slack app in Socket Mode (no public URL needed)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import AsOfOption, console, engine_for, fail, require_schema, settings_with


def register(app: typer.Typer) -> None:
    """Add the ``slack`` command to ``app``."""

    @app.command("slack")
    def slack(
        socket: Annotated[
            bool, typer.Option("--socket", help="Connect over Socket Mode (needs the app token).")
        ] = False,
        ping_interval: Annotated[
            float, typer.Option("--ping-interval", min=1.0, help="Seconds between keepalive pings.")
        ] = 10.0,
        as_of: AsOfOption = None,
    ) -> None:
        """Run the Slack app in Socket Mode (HTTP mode runs inside `dealwise serve`)."""
        if not socket:
            raise fail("HTTP mode is served by `dealwise serve` on /slack/events; pass --socket")
        from api.slack.app import SlackNotConfigured
        from api.slack.socket import socket_handler
        from assistant.service import Assistant

        settings = settings_with(as_of)
        engine = engine_for(settings)
        try:
            handler = socket_handler(
                settings,
                engine=engine,
                assistant=Assistant(settings, engine),
                ping_interval=ping_interval,
            )
        except SlackNotConfigured as exc:
            raise fail(str(exc)) from exc
        require_schema(engine)
        console.print("Slack Socket Mode: connecting… (Ctrl+C to stop)")
        handler.start()  # type: ignore[no-untyped-call]
