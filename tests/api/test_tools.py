"""``/v1/tools``: the catalog with schemas, and any tool callable with validated JSON."""

from __future__ import annotations

import pytest
from builders_api import auth
from fastapi.testclient import TestClient


def test_the_catalog_lists_every_tool_with_its_schemas(
    client: TestClient, keys: dict[str, str]
) -> None:
    tools = {t["name"]: t for t in client.get("/v1/tools", headers=auth(keys["rep1"])).json()}
    assert {"account_rfm", "deal_review", "pipeline_by_stage", "power_map"} <= set(tools)
    rfm = tools["account_rfm"]
    assert rfm["input_schema"]["required"] == ["account_id"]
    assert "recency_days" in rfm["result_schema"]["properties"]


def test_a_tool_call_returns_the_tools_result(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        "/v1/tools/account_rfm", json={"account_id": "A1"}, headers=auth(keys["rep1"])
    )
    assert response.status_code == 200
    body = response.json()
    assert body["tool"] == "account_rfm"
    assert (body["result"]["monetary_total"], body["result"]["recency_days"]) == (100_000.0, 200)


def test_a_tool_without_arguments_may_be_called_with_an_empty_body(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.post("/v1/tools/pipeline_by_stage", headers=auth(keys["rep2"]))
    assert response.status_code == 200
    assert response.json()["result"]["total_amount"] == 40_000.0


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({}, "body.account_id"),
        ({"account_id": ["A1"]}, "body.account_id"),
        ({"account_id": "A1", "colour": "red"}, "body.colour"),
        ({"account_id": "A1", "window_days": "many"}, "body.window_days"),
    ],
)
def test_bad_arguments_get_a_422_naming_the_field(
    client: TestClient, keys: dict[str, str], args: dict[str, object], field: str
) -> None:
    response = client.post("/v1/tools/account_rfm", json=args, headers=auth(keys["rep1"]))
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["error"]["fields"]] == [field]


def test_a_body_that_is_not_an_object_is_a_422(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post("/v1/tools/account_rfm", json=[1, 2], headers=auth(keys["rep1"]))
    assert response.status_code == 422


def test_an_unknown_tool_is_a_404(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post("/v1/tools/drop_tables", json={}, headers=auth(keys["admin"]))
    assert response.status_code == 404
    assert "no tool named 'drop_tables'" in response.json()["error"]["message"]


def test_a_tool_on_another_reps_record_is_a_404(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        "/v1/tools/deal_review", json={"opportunity_id": "O2"}, headers=auth(keys["rep1"])
    )
    assert response.status_code == 404
    assert "Brightline" not in response.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_tools_require_a_key(client: TestClient, method: str) -> None:
    path = "/v1/tools" if method == "get" else "/v1/tools/account_rfm"
    assert getattr(client, method)(path).status_code == 401
