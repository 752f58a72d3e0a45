"""The Slack app (slack-bolt) on the FastAPI app: ``POST /slack/events``.

:func:`build_app` wires a Bolt :class:`App` whose ``WebClient`` talks to
``DEALWISE_SLACK_API_URL`` (GovSlack, a corporate proxy, or the tests' local stub) or
Slack's default. Token verification at start is off, so building the app sends nothing
anywhere; ``auth.test`` runs on the first request. ``process_before_response`` is on:
Bolt acks after the (instant) ack function, and lazy listeners do the work in threads.
Repeated deliveries of an event are dropped by the lazy listener (:mod:`.dedupe`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request, Response
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from api.slack.handlers import register
from api.slack.replies import Replier
from crm.settings import Settings

if TYPE_CHECKING:
    from assistant.service import Assistant

EVENTS_PATH = "/slack/events"
LAZY_WORKERS = 2  # answers are CPU-bound under the GIL: more threads only slow the acks
ACK_THREADS = 4
"""Threads verifying and acking Slack requests, apart from the API's own pool (a few per
process, ``DEALWISE_API_THREADS``), so an ack never queues behind slow API work."""


class SlackNotConfigured(RuntimeError):
    """The bot token (and, for HTTP mode, the signing secret) is missing."""


def web_client(settings: Settings) -> WebClient:
    """A Web API client with the bot token, on ``slack_api_url`` when it is set."""
    if settings.slack_bot_token is None:
        raise SlackNotConfigured("set DEALWISE_SLACK_BOT_TOKEN")
    token = settings.slack_bot_token.get_secret_value()
    if settings.slack_api_url:
        return WebClient(token=token, base_url=settings.slack_api_url.rstrip("/") + "/")
    return WebClient(token=token)


def build_app(settings: Settings, *, engine: Engine, assistant: Assistant) -> App:
    """The Bolt app with every Dealwise listener."""
    secret = settings.slack_signing_secret
    app = App(
        client=web_client(settings),
        signing_secret=secret.get_secret_value() if secret else None,
        request_verification_enabled=secret is not None,
        token_verification_enabled=False,
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(LAZY_WORKERS, thread_name_prefix="dealwise-slack"),
    )
    register(app, Replier(engine=engine, assistant=assistant))
    return app


def mount(app: FastAPI, *, settings: Settings, engine: Engine, assistant: Assistant) -> App:
    """Add ``POST /slack/events`` (events, commands, interactions) to ``app``.

    The Bolt app is returned and kept on ``app.state.slack``.
    """
    if settings.slack_signing_secret is None:
        raise SlackNotConfigured("set DEALWISE_SLACK_SIGNING_SECRET for HTTP mode")
    bolt = build_app(settings, engine=engine, assistant=assistant)
    acks = anyio.CapacityLimiter(ACK_THREADS)

    @app.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        """Slack's events, slash commands and interactions (signature verified)."""
        body = await request.body()
        bolt_request = to_bolt_request(request, body)
        bolt_response = await anyio.to_thread.run_sync(bolt.dispatch, bolt_request, limiter=acks)
        return to_starlette_response(bolt_response)

    app.state.slack = bolt
    return bolt
