"""``/v1/accounts``: fuzzy search and the account views, scoped to the key's user."""

from __future__ import annotations

import pytest
from builders_api import auth
from fastapi.testclient import TestClient

VIEWS = ("summary", "rfm", "clv", "power-map", "next-actions", "tree")


def test_a_misspelt_name_finds_the_reps_account(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get("/v1/accounts", params={"query": "acm"}, headers=auth(keys["rep1"]))
    assert response.status_code == 200
    assert response.json()["candidates"][0]["account_id"] == "A1"


def test_search_never_returns_another_reps_account(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.get("/v1/accounts", params={"query": "Acme"}, headers=auth(keys["rep2"]))
    assert response.status_code == 200
    assert all(c["account_id"] != "A1" for c in response.json()["candidates"])


def test_the_summary_narrates_the_figures_of_the_account_360(
    client: TestClient, keys: dict[str, str]
) -> None:
    body = client.get("/v1/accounts/A1/summary", headers=auth(keys["rep1"])).json()
    assert body["account"]["orders"]["total"] == 100_000.0
    assert body["account"]["open_pipeline"] == 120_000.0
    assert "1 orders worth EUR 100,000.00" in body["narrative"]
    assert "1 open deal(s) worth EUR 120,000.00" in body["narrative"]


def test_a_manager_sees_the_summary_of_a_team_members_account(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.get("/v1/accounts/A1/summary", headers=auth(keys["mgr"]))
    assert response.status_code == 200
    assert response.json()["account"]["owner_id"] == "rep1"


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_of_an_own_account_answers(
    client: TestClient, keys: dict[str, str], view: str
) -> None:
    response = client.get(f"/v1/accounts/A1/{view}", headers=auth(keys["rep1"]))
    assert response.status_code == 200, response.text
    assert response.json()


@pytest.mark.parametrize("view", VIEWS)
def test_another_reps_account_is_a_404_without_its_data(
    client: TestClient, keys: dict[str, str], view: str
) -> None:
    response = client.get(f"/v1/accounts/A1/{view}", headers=auth(keys["rep2"]))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "Acme" not in response.text and "100000" not in response.text


def test_an_unknown_account_is_a_404(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get("/v1/accounts/NOPE/rfm", headers=auth(keys["admin"]))
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "account 'NOPE' not found or not yours"


def test_the_rfm_view_reports_recency_in_days(client: TestClient, keys: dict[str, str]) -> None:
    body = client.get("/v1/accounts/A1/rfm", headers=auth(keys["rep1"])).json()
    assert (body["recency_days"], body["frequency"], body["monetary_total"]) == (200, 1, 100_000.0)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/accounts?query=", "query.query"),
        ("/v1/accounts?query=acme&limit=0", "query.limit"),
        ("/v1/accounts/A1/rfm?window_days=-3", "query.window_days"),
        ("/v1/accounts/A1/summary?as_of=yesterday", "query.as_of"),
    ],
)
def test_invalid_parameters_get_a_422_naming_the_field(
    client: TestClient, keys: dict[str, str], path: str, field: str
) -> None:
    response = client.get(path, headers=auth(keys["rep1"]))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [f["field"] for f in error["fields"]] == [field]


def test_views_require_a_key(client: TestClient) -> None:
    assert client.get("/v1/accounts/A1/summary").status_code == 401


def test_as_of_moves_the_analysis_date(client: TestClient, keys: dict[str, str]) -> None:
    earlier = client.get(
        "/v1/accounts/A1/summary", params={"as_of": "2025-01-01"}, headers=auth(keys["rep1"])
    ).json()
    assert earlier["account"]["orders"]["order_count"] == 0
    assert "no orders up to 2025-01-01" in earlier["narrative"]
