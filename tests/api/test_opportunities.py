"""``/v1/opportunities/{id}/review`` and the book-wide views (pipeline, forecast, segments)."""

from __future__ import annotations

import pytest
from builders_api import auth
from fastapi.testclient import TestClient


def test_a_deal_review_carries_the_deals_figures(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get("/v1/opportunities/O1/review", headers=auth(keys["rep1"]))
    assert response.status_code == 200
    deal = response.json()["deal"]
    assert (deal["name"], deal["amount"], deal["stage"]) == (
        "Acme renewal",
        120_000.0,
        "Negotiation",
    )


@pytest.mark.parametrize(("user", "opportunity"), [("rep2", "O1"), ("rep1", "O2"), ("admin", "X")])
def test_a_foreign_or_missing_deal_is_a_404(
    client: TestClient, keys: dict[str, str], user: str, opportunity: str
) -> None:
    response = client.get(f"/v1/opportunities/{opportunity}/review", headers=auth(keys[user]))
    assert response.status_code == 404
    assert "Brightline" not in response.text and "Acme" not in response.text


def test_a_reps_pipeline_holds_only_their_deals(client: TestClient, keys: dict[str, str]) -> None:
    body = client.get("/v1/pipeline", headers=auth(keys["rep1"])).json()
    assert (body["total_count"], body["total_amount"], body["total_weighted_amount"]) == (
        1, 120_000.0, 90_000.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("params", "count", "amount"),
    [({}, 2, 160_000.0), ({"team": "B"}, 1, 40_000.0), ({"owner": "rep1"}, 1, 120_000.0)],
)
def test_the_admins_pipeline_filters_by_owner_and_team(
    client: TestClient, keys: dict[str, str], params: dict[str, str], count: int, amount: float
) -> None:
    body = client.get("/v1/pipeline", params=params, headers=auth(keys["admin"])).json()
    assert (body["total_count"], body["total_amount"]) == (count, amount)


def test_asking_for_another_reps_pipeline_is_a_404(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.get("/v1/pipeline", params={"owner": "rep2"}, headers=auth(keys["rep1"]))
    assert response.status_code == 404


def test_the_forecast_covers_the_requested_period(client: TestClient, keys: dict[str, str]) -> None:
    params = {"period": "Q3 2026"}
    response = client.get("/v1/forecast", params=params, headers=auth(keys["rep1"]))
    assert response.status_code == 200
    body = response.json()
    assert (body["start"], body["end"]) == ("2026-07-01", "2026-09-30")


def test_an_unreadable_forecast_period_is_a_422(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get(
        "/v1/forecast", params={"period": "blue moon"}, headers=auth(keys["rep1"])
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_argument"


def test_segments_count_the_callers_customers(client: TestClient, keys: dict[str, str]) -> None:
    rep = client.get("/v1/segments", headers=auth(keys["rep1"])).json()
    admin = client.get("/v1/segments", headers=auth(keys["admin"])).json()
    assert (rep["population_size"], rep["total_revenue"]) == (1, 100_000.0)
    assert (admin["population_size"], admin["total_revenue"]) == (2, 130_000.0)


@pytest.mark.parametrize("path", ["/v1/pipeline", "/v1/forecast", "/v1/segments"])
def test_book_views_require_a_key(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/segments?window_days=0", "query.window_days"),
        ("/v1/forecast?start=soon", "query.start"),
        ("/v1/pipeline?owner=" + "x" * 65, "query.owner"),
    ],
)
def test_invalid_filters_get_a_422_naming_the_field(
    client: TestClient, keys: dict[str, str], path: str, field: str
) -> None:
    response = client.get(path, headers=auth(keys["admin"]))
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["error"]["fields"]] == [field]
