"""Request ids, and the last line of defence: unexpected errors become a logged JSON 500.

A pure ASGI middleware (cheaper than ``BaseHTTPMiddleware``): each request gets an id
(the client's ``X-Request-ID`` when it is short and printable, else a new one), kept in
``request.state.request_id`` and echoed in the ``X-Request-ID`` response header. An
exception no handler took is logged with its traceback and answered with a 500 that
names the request id and nothing else.
"""

from __future__ import annotations

import logging
import re
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response

log = logging.getLogger("dealwise.api")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give every HTTP request an id and turn unexpected errors into a JSON 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [*message.get("headers", []), (b"x-request-id", rid.encode())]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unexpected error in %s %s [request %s]",
                          scope.get("method"), scope.get("path"), rid)  # fmt: skip
            if started:
                raise
            message = f"internal error; quote request id {rid} when reporting it"
            response = error_response(Request(scope), 500, "internal_error", message)
            await response(scope, receive, send_with_id)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _CLIENT_ID.match(text) else None
    return None
