"""A local stub of the Slack Web API (and of response URLs) that records every call.

Started on 127.0.0.1 on a free port in a thread; answers like Slack (``{"ok": true}``);
``users.info`` answers from :attr:`SlackStub.emails`; ``files.getUploadURLExternal``
hands out an upload URL on the stub itself. Also signs requests the way Slack does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER = "UBOT"


@dataclass
class Call:
    """One request the stub received: the API method (or path) and its parameters."""

    method: str
    params: dict[str, Any]


class SlackStub:
    """The recorded calls and the users' profile e-mails; ``url`` is the API base URL."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        host, port = server.server_address[:2]
        self.root = f"http://{host!s}:{port}"
        self.url = self.root + "/api/"
        self.emails: dict[str, str] = {}
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def record(self, method: str, params: dict[str, Any]) -> None:
        """Store a call."""
        with self._lock:
            self.calls.append(Call(method, params))

    def called(self, method: str) -> list[Call]:
        """The calls of ``method`` so far."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 20.0) -> list[Call]:
        """Poll (bounded) until ``method`` was called ``count`` times; fail otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.called(method)
            if len(calls) >= count:
                return calls
            time.sleep(0.02)
        raise AssertionError(f"{method} called {len(self.called(method))}x, expected {count}")

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """What Slack would answer to ``method``."""
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1"}
        if method == "users.info":
            email = self.emails.get(str(params.get("user")))
            if email is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": params["user"], "profile": {"email": email}}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.root}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1"}]}
        return {"ok": True, "channel": params.get("channel"), "ts": f"{time.time():.6f}"}


def _handler(stub: SlackStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._serve(dict(parse_qsl(urlsplit(self.path).query)))

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            kind = self.headers.get("Content-Type", "")
            params: dict[str, Any]
            if self.path.startswith("/upload/"):
                params = {"bytes": len(raw), "png": raw.startswith(b"\x89PNG")}
            elif "json" in kind:
                params = json.loads(raw or b"{}")
            else:
                params = dict(parse_qsl(raw.decode()))
            self._serve({**dict(parse_qsl(urlsplit(self.path).query)), **params})

        def _serve(self, params: dict[str, Any]) -> None:
            path = urlsplit(self.path).path
            method = path.removeprefix("/api/") if path.startswith("/api/") else path
            stub.record(method, params)
            body = json.dumps(stub.answer(method, params)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def running_stub() -> Iterator[SlackStub]:
    """A stub serving on a free port of 127.0.0.1 until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    stub = SlackStub(server)
    server.RequestHandlerClass = _handler(stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def signed_headers(secret: str, body: str, *, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature: ``v0=`` HMAC-SHA256 of ``v0:{ts}:{body}`` with the secret."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
