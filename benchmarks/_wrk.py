"""Closed-loop HTTP load with ``wrk`` (C, one thread): how many requests/s the server sustains.

The load generator must not take the CPU it measures: a Python client on the same two
cores costs about as much per request as the server does, so capacity is measured with
``wrk`` (Debian package ``wrk``). Each connection sends its next request as soon as the
previous answer arrives; a Lua script picks the request (random account, question).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)

SCRIPT = """
local paths = {paths}
local bodies = {bodies}
wrk.headers["Authorization"] = "Bearer {key}"
wrk.headers["Content-Type"] = "application/json"
math.randomseed({seed})
request = function()
  local i = math.random(#paths)
  return wrk.format({method}, paths[i], nil, bodies[i])
end
"""


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run reported."""

    requests: int
    seconds: float
    per_second: float
    latency_ms: dict[int, float]
    errors: dict[str, int]


def require_wrk() -> str:
    """The wrk executable, or a clear exit naming the package to install."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("api_load needs wrk, the HTTP load generator: apt-get install wrk")
    return found


def _lua_list(values: list[str | None]) -> str:
    return "{" + ", ".join("nil" if v is None else json.dumps(v) for v in values) + "}"


def run_wrk(
    base: str, key: str, requests: list[tuple[str, str, str | None]], *,
    connections: int, seconds: float, seed: int = 7,
) -> WrkResult:  # fmt: skip
    """Drive ``base`` with ``requests`` (method, path, JSON body) picked at random."""
    methods = {method for method, _, _ in requests}
    if len(methods) != 1:
        raise ValueError("one HTTP method per run")
    script = SCRIPT.format(
        paths=_lua_list([path for _, path, _ in requests]),
        bodies=_lua_list([body for _, _, body in requests]),
        key=key, seed=seed, method=json.dumps(methods.pop()),
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="dealwise-wrk-") as folder:
        lua = Path(folder) / "requests.lua"
        lua.write_text(script)
        command = [
            require_wrk(), "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
            "--timeout", "10s", "--latency", "-s", str(lua), base,
        ]  # fmt: skip
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return parse(out)


def parse(out: str) -> WrkResult:
    """Read wrk's ``--latency`` report."""
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if done is None or rate is None:
        raise ValueError(f"unexpected wrk output:\n{out}")
    errors: dict[str, int] = {}
    sockets = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sockets:
        for name, value in zip(
            ("connect", "read", "write", "timeout"), sockets.groups(), strict=True
        ):
            if int(value):
                errors[name] = int(value)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors["non-2xx"] = int(non_2xx.group(1))
    return WrkResult(
        requests=int(done.group(1)),
        seconds=float(done.group(2)) * _UNITS[done.group(3)] / 1000,
        per_second=float(rate.group(1)),
        latency_ms={int(p): float(v) * _UNITS[u] for p, v, u in _LATENCY.findall(out)},
        errors=errors,
    )
