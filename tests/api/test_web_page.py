"""The web chat page's files are served without a key (the page asks for one)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_the_root_serves_the_chat_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script src="/web/app.js" defer></script>' in response.text


@pytest.mark.parametrize(
    ("path", "kind"), [("/web/app.js", "javascript"), ("/web/style.css", "css")]
)
def test_the_pages_assets_are_served(client: TestClient, path: str, kind: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert kind in response.headers["content-type"]
