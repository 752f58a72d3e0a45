"""Dependencies of the routes, as ``Annotated`` aliases.

``SessionDep`` (a session per request), ``CallerDep`` (the CRM user behind the API key
of ``Authorization: Bearer <key>`` or ``X-API-Key``), ``CtxDep`` (that caller's
:class:`tools.context.ToolContext`, dated by the ``as_of`` query parameter or the
settings) and ``AssistantDep``. The app keeps its settings, engine and assistant in an
:class:`AppState` on ``app.state.dealwise``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.auth import InvalidKey, authenticate
from api.errors import ApiError
from assistant.runtime import context_for
from assistant.service import Assistant
from crm.settings import Settings
from tools.context import ToolContext


@dataclass(frozen=True)
class AppState:
    """What every request of one app shares."""

    settings: Settings
    engine: Engine
    assistant: Assistant


async def get_state(request: Request) -> AppState:
    """The app's shared state (``async``: no I/O, so no hop to a worker thread)."""
    state: AppState = request.app.state.dealwise
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A session on the CRM store, closed after the request."""
    with Session(state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_header_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")
_bearer_key = HTTPBearer(auto_error=False, description="An API key as a bearer token.")


def get_caller(
    session: SessionDep,
    header: Annotated[str | None, Depends(_header_key)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_key)],
) -> str:
    """The CRM user id of the request's API key; 401 when it is missing or invalid."""
    key = header or (bearer.credentials if bearer else None)
    if not key:
        raise ApiError(401, "unauthorized", "missing API key: send 'Authorization: Bearer <key>'")
    try:
        caller = authenticate(session, key)
    except InvalidKey as exc:
        raise ApiError(401, "unauthorized", "invalid or revoked API key") from exc
    session.commit()  # no read transaction lingers while a long request (an ask) runs
    return caller


CallerDep = Annotated[str, Depends(get_caller)]


def get_ctx(
    state: StateDep,
    session: SessionDep,
    caller: CallerDep,
    as_of: Annotated[
        dt.date | None,
        Query(description="Analysis date (YYYY-MM-DD); records dated later are ignored."),
    ] = None,
) -> ToolContext:
    """The caller's tool context (scope from the users table)."""
    settings = state.settings.model_copy(update={"as_of": as_of}) if as_of else state.settings
    ctx = context_for(session, caller, settings)
    return dataclasses.replace(ctx, knowledge=state.assistant.knowledge)


CtxDep = Annotated[ToolContext, Depends(get_ctx)]


async def get_assistant(state: StateDep) -> Assistant:
    """The app's assistant."""
    return state.assistant


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
