"""The FastAPI app: REST API under ``/v1``, health checks, the web chat page at ``/``.

:func:`create_app` builds it from the settings (or injected engine and assistant, as the
tests do). When ``api.slack`` exists and Slack is configured (bot token and signing
secret), the Slack app mounts itself on the same app through
``api.slack.mount(app, settings=..., engine=..., assistant=...)``.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from api.deps import AppState
from api.errors import ErrorResponse, install_handlers
from api.middleware import RequestIdMiddleware
from api.routes import (
    accounts,
    ask,
    health,
    imports,
    me,
    notes,
    opportunities,
    pipeline,
    tools,
)
from assistant.service import Assistant
from crm.settings import Settings, get_settings

WEB = Path(__file__).with_name("web")
POOL = {"pool_size": 20, "max_overflow": 60, "pool_timeout": 60}
"""Room for every worker thread (up to 40, see ``Settings.worker_threads``), each holding up
to two sessions."""
ROUTERS = (health, me, ask, accounts, opportunities, pipeline, tools, notes, imports)
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in (
        (401, "Missing or invalid API key."),
        (404, "Not found, or not yours."),
        (422, "Invalid input; the error names each field."),
        (500, "Unexpected error; quote the request id."),
    )
}


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    assistant: Assistant | None = None,
    serving: bool = False,
) -> FastAPI:
    """The Dealwise web app on ``settings`` (default: the environment).

    ``serving`` (:func:`serving_app`, what ``dealwise serve`` runs) also settles the
    process at start-up for steady latency: see :func:`settle`.
    """
    settings = settings or get_settings()
    if engine is None:
        engine = assistant.engine if assistant else _engine(settings.database_url)
    assistant = assistant or Assistant(settings, engine)
    app = FastAPI(
        lifespan=_startup(settings.worker_threads(), assistant if serving else None),
        title="Dealwise API",
        version="1",
        summary="Ask about your customers and pipeline; every figure comes with its records.",
        description="Authenticate with `Authorization: Bearer <key>` (or `X-API-Key`); "
        "create a key with `dealwise apikey create --user ID`.",
    )
    app.state.dealwise = AppState(settings=settings, engine=engine, assistant=assistant)
    app.add_middleware(RequestIdMiddleware)
    install_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router, responses={} if module is health else dict(ERRORS))
    _mount_web(app)
    _mount_slack(app, settings, engine, assistant)
    return app


def serving_app() -> FastAPI:
    """The app as a server process runs it (``uvicorn api.app:serving_app --factory``)."""
    return create_app(serving=True)


GC_THRESHOLDS = (50_000, 20, 100)
"""Cyclic-GC thresholds of a serving process (CPython's default: 700, 10, 10)."""


def settle(assistant: Assistant) -> None:
    """Load what every request uses, then keep the cyclic garbage collector's pauses short.

    A full collection scans every tracked object: with torch, pandas and scikit-learn
    loaded that took 220-320 ms, often enough that one Slack ack in a hundred waited
    for it (``benchmarks slack_ack``; Slack charts alone leave ~2,000 cyclic objects per
    figure). Objects alive after start-up are frozen out of the scans (``gc.freeze``),
    and a larger young generation lets a request's short-lived cycles die young, so full
    collections become rare. Process-wide: only for server processes, never in tests.
    """
    _ = assistant.catalog, assistant.planner, assistant.offline
    settle_gc()


def settle_gc() -> None:
    """Freeze what is alive now out of the cyclic GC's scans and grow the young generation."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _startup(
    threads: int, settle_with: Assistant | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that sizes the worker thread pool (and settles a serving process)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        if settle_with is not None:
            settle(settle_with)
        yield

    return lifespan


def _engine(url: str) -> Engine:
    """An engine whose pool fits the worker threads (in-memory SQLite keeps its own pool)."""
    from crm.db import make_engine

    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    return make_engine(url) if in_memory else make_engine(url, **POOL)


def _mount_web(app: FastAPI) -> None:
    app.mount("/web", StaticFiles(directory=WEB), name="web")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        """The web chat page."""
        return FileResponse(WEB / "index.html")


def _mount_slack(app: FastAPI, settings: Settings, engine: Engine, assistant: Assistant) -> None:
    if not (settings.slack_bot_token and settings.slack_signing_secret):
        return
    try:
        slack = importlib.import_module("api.slack")
    except ModuleNotFoundError as exc:
        if exc.name != "api.slack":
            raise
        return
    slack.mount(app, settings=settings, engine=engine, assistant=assistant)
