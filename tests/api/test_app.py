"""``create_app``: Slack only when configured; the thread pool; a serving process settled."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from anyio.to_thread import current_default_thread_limiter
from builders_api import settings_for
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app


def _paths(app: FastAPI) -> set[str]:
    """Top-level routes (the Slack endpoint, the page) and every documented path."""
    return {str(getattr(route, "path", "")) for route in app.routes} | set(app.openapi()["paths"])


def test_without_slack_settings_there_is_no_slack_endpoint(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path, database_url="sqlite://"))
    assert "/slack/events" not in _paths(app)
    assert {"/", "/healthz", "/v1/ask"} <= _paths(app)


def test_with_slack_settings_the_slack_app_mounts_on_the_same_app(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path,
        database_url="sqlite://",
        slack_bot_token="xoxb-test",
        slack_signing_secret="not-a-secret",
        slack_api_url="http://127.0.0.1:9/api/",
    )
    assert "/slack/events" in _paths(create_app(settings))


def _threads_in(app: FastAPI) -> int:
    with TestClient(app) as client:
        return int(client.portal.call(lambda: current_default_thread_limiter().total_tokens))


def test_the_worker_thread_pool_is_small_offline_and_large_with_an_llm(tmp_path: Path) -> None:
    offline = settings_for(tmp_path, database_url="sqlite://")
    assert _threads_in(create_app(offline)) == 2
    with_llm = settings_for(tmp_path, database_url="sqlite://", llm_model="any-model")
    assert _threads_in(create_app(with_llm)) == 40
    chosen = settings_for(tmp_path, database_url="sqlite://", api_threads=3)
    assert _threads_in(create_app(chosen)) == 3


SETTLED = """
import gc
from fastapi.testclient import TestClient
from api.app import GC_THRESHOLDS, serving_app
before = gc.get_freeze_count()
with TestClient(serving_app()) as client:
    assert client.get("/healthz").status_code == 200
    print(before, gc.get_freeze_count() > 1000, gc.get_threshold() == GC_THRESHOLDS)
"""


def test_a_serving_process_freezes_its_start_up_objects_and_tunes_the_gc(tmp_path: Path) -> None:
    env = {**os.environ, "DEALWISE_DATABASE_URL": "sqlite://", "DEALWISE_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", SETTLED], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0", "True", "True"]
