"""The Slack app: mentions, DMs, slash commands and Block Kit answers (slack-bolt).

HTTP mode mounts on the FastAPI app (:func:`mount`, ``POST /slack/events``); Socket
Mode runs with ``dealwise slack --socket`` (:mod:`api.slack.socket`). Importing this
package imports slack-bolt only when :func:`mount` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.engine import Engine

    from assistant.service import Assistant
    from crm.settings import Settings


def mount(app: FastAPI, *, settings: Settings, engine: Engine, assistant: Assistant) -> Any:
    """Add ``POST /slack/events`` to ``app`` (see :func:`api.slack.app.mount`)."""
    from api.slack.app import mount as mount_bolt

    return mount_bolt(app, settings=settings, engine=engine, assistant=assistant)
