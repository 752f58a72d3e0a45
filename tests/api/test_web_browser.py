"""The web chat page in a real headless Chromium against a uvicorn server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from builders_api import build_world, make_assistant, settings_for
from sqlalchemy.engine import Engine

from api.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(sqlite_store: Engine, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The app on the world, served by uvicorn in a thread; yields (base URL, keys)."""
    keys = build_world(sqlite_store)
    settings = settings_for(tmp_path)
    app = create_app(
        settings, engine=sqlite_store, assistant=make_assistant(sqlite_store, settings, None)
    )
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", keys
    uv.should_exit = True
    thread.join(timeout=10)


def test_a_rep_signs_in_asks_and_sees_the_figure_with_its_trace(
    server: tuple[str, dict[str, str]],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, keys = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(base + "/")
        page.fill("#api-key", "dw_00000000_wrong")
        page.click("#login-form button")
        expect(page.locator("#login-error")).to_have_text("invalid or revoked API key")

        page.fill("#api-key", keys["rep1"])
        page.click("#login-form button")
        expect(page.locator("#whoami")).to_have_text("Rita Rep · rep")

        page.fill("#question", "How is my pipeline? <img src=x onerror=alert(1)>")
        page.press("#question", "Enter")
        answer = page.locator(".msg.assistant").last
        expect(answer.locator("strong")).to_have_text("EUR 120,000.00")
        assert page.locator("#messages img").count() == 0

        answer.locator("details.trace summary").click()
        expect(answer.locator(".call code")).to_contain_text("pipeline_by_stage")
        expect(answer.locator(".figures")).to_contain_text("total_weighted_amount")
        expect(answer.locator(".figures")).to_contain_text("90000")

        page.fill("#review-id", "O1")
        page.click("#review-form button")
        review = page.locator(".review").last
        expect(review.locator("h3")).to_have_text("Deal review: Acme renewal")
        expect(review).to_contain_text("EUR 120,000.00")

        page.locator("details.trace summary").first.click()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web_chat.png"), full_page=True)
        browser.close()
    assert (ARTIFACTS / "web_chat.png").stat().st_size > 10_000
