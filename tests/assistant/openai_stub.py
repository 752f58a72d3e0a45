"""A scripted OpenAI-compatible ``/v1/chat/completions`` server on 127.0.0.1, for tests.

Each request takes the next step of the script: a reply (a tool call or a final
message), an HTTP error status, or a delay before replying. Request bodies are kept
in ``requests`` so tests can assert what went over the wire.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Step:
    """One scripted response: ``status`` with ``body``, after ``delay_s`` seconds."""

    body: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    delay_s: float = 0.0


def completion(message: dict[str, Any], finish: str = "stop") -> Step:
    """A successful chat completion carrying ``message``."""
    return Step(
        {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": 0,
            "model": "stub",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    )


def say(text: str) -> Step:
    """A final assistant message."""
    return completion({"role": "assistant", "content": text})


def call(name: str, call_id: str = "call_1", **args: Any) -> Step:
    """An assistant message asking for one tool call."""
    tool_call = {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(args)},
    }
    return completion(
        {"role": "assistant", "content": None, "tool_calls": [tool_call]}, "tool_calls"
    )


def error(status: int) -> Step:
    """An HTTP error (retried by the client for 429 and 5xx)."""
    return Step({"error": {"message": f"stub error {status}", "type": "server_error"}}, status)


class StubServer:
    """The server's script and what it received."""

    def __init__(self, script: list[Step]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.url = ""

    def next_step(self, body: dict[str, Any]) -> Step:
        """Record ``body`` and pop the next step (an error once the script runs out)."""
        with self.lock:
            self.requests.append(body)
            return self.script.pop(0) if self.script else error(599)


def _handler(stub: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            step = stub.next_step(json.loads(self.rfile.read(length) or b"{}"))
            time.sleep(step.delay_s)
            payload = json.dumps(step.body).encode()
            try:
                self.send_response(step.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("retry-after-ms", "10")
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def serve(script: list[Step]) -> Iterator[StubServer]:
    """Run a stub server on a free port of 127.0.0.1; ``url`` is its ``/v1`` base URL."""
    stub = StubServer(script)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
