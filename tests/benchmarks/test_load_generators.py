"""The API load benchmark's generators: wrk's report is read right; the paced client paces."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from benchmarks._paced import paced
from benchmarks._wrk import parse

WRK_REPORT = """Running 10s test @ http://127.0.0.1:8765
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   122.29ms   30.01ms 402.11ms   71.02%
    Req/Sec   262.48     40.11   320.00     70.00%
  Latency Distribution
     50%  118.50ms
     75%  140.02ms
     90%  160.77ms
     99%    1.21s
  2614 requests in 10.01s, 5.41MB read
  Socket errors: connect 0, read 0, write 0, timeout 3
  Non-2xx or 3xx responses: 5
Requests/sec:    261.14
Transfer/sec:    553.19KB
"""


def test_the_wrk_report_is_read_with_units_and_errors() -> None:
    out = parse(WRK_REPORT)
    assert (out.requests, out.seconds, out.per_second) == (2614, 10.01, 261.14)
    assert out.latency_ms == {50: 118.5, 75: 140.02, 90: 160.77, 99: 1210.0}
    assert out.errors == {"timeout": 3, "non-2xx": 5}


def test_an_unexpected_report_is_an_error() -> None:
    with pytest.raises(ValueError, match="unexpected wrk output"):
        parse("wrk: connection refused")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, self.headers["Authorization"], body))
        status = 200 if self.path == "/ok" else 503
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_the_paced_client_sends_about_the_rate_and_counts_failures(server: str) -> None:
    _Handler.seen.clear()
    requests = [("POST", "/ok", '{"q": 1}'), ("POST", "/fail", None)]
    out = asyncio.run(paced(server, "k", requests, rate=100, connections=4, seconds=1.0))
    sent = len(_Handler.seen)
    assert 50 <= sent <= 160  # a Poisson stream at 100/s over one second
    assert len(out.latencies) + sum(out.errors.values()) == sent
    assert set(out.errors) <= {"HTTP 503"} and out.errors and out.latencies
    assert all(auth == "Bearer k" for _, auth, _ in _Handler.seen)
    sent_requests = {(path, body) for path, _, body in _Handler.seen}
    assert sent_requests <= {("/ok", b'{"q": 1}'), ("/fail", b"")}
