"""Errors share one JSON shape; unexpected ones are a logged 500 that leaks nothing."""

from __future__ import annotations

import logging

import pytest
from builders_api import auth
from fastapi.testclient import TestClient

from tools.catalog import ToolSpec


def _explode(*_args: object, **_kwargs: object) -> object:
    raise RuntimeError("secret connection string postgres://admin:hunter2@db")


def test_an_unexpected_error_is_a_500_with_a_request_id_and_no_internals(
    client: TestClient,
    keys: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(ToolSpec, "validate_args", _explode)
    with caplog.at_level(logging.ERROR, logger="dealwise.api"):
        response = client.post("/v1/tools/pipeline_by_stage", headers=auth(keys["rep1"]))
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert error["request_id"] == response.headers["x-request-id"]
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    [record] = caplog.records
    assert error["request_id"] in record.getMessage()
    assert record.exc_info is not None and "hunter2" in str(record.exc_info[1])


def test_a_clients_request_id_is_kept(client: TestClient) -> None:
    response = client.get("/v1/pipeline", headers={"X-Request-ID": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"
    assert response.json()["error"]["request_id"] == "trace-42"


def test_an_unusable_client_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert len(response.headers["x-request-id"]) == 32


def test_an_unknown_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_wrong_method_is_a_json_405(client: TestClient) -> None:
    response = client.delete("/v1/pipeline")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_a_422(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        "/v1/ask",
        content=b"{not json",
        headers={**auth(keys["rep1"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
