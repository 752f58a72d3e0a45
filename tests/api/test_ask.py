"""``/v1/ask``: the assistant's answer with its trace, threads bound to their caller."""

from __future__ import annotations

from builders_api import auth
from fastapi.testclient import TestClient


def test_an_answer_states_the_figure_its_tool_computed(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.post("/v1/ask", json={"question": "My pipeline?"}, headers=auth(keys["rep1"]))
    assert response.status_code == 200
    answer = response.json()
    assert "**EUR 120,000.00** in 1 deal(s)" in answer["text"]
    assert answer["planner"] == "offline"
    assert answer["tool_calls"][0]["name"] == "pipeline_by_stage"
    assert answer["tool_calls"][0]["result"]["total_weighted_amount"] == 90_000.0
    assert any(c["id"] == "O1" for c in answer["citations"])


def test_a_follow_up_stays_in_the_thread(client: TestClient, keys: dict[str, str]) -> None:
    first = client.post("/v1/ask", json={"question": "Pipeline?"}, headers=auth(keys["rep1"]))
    thread = first.json()["thread_id"]
    second = client.post(
        "/v1/ask", json={"question": "And now?", "thread_id": thread}, headers=auth(keys["rep1"])
    )
    assert second.status_code == 200
    assert second.json()["thread_id"] == thread


def test_another_users_thread_is_a_404(client: TestClient, keys: dict[str, str]) -> None:
    thread = client.post(
        "/v1/ask", json={"question": "Pipeline?"}, headers=auth(keys["rep1"])
    ).json()["thread_id"]
    response = client.post(
        "/v1/ask", json={"question": "And?", "thread_id": thread}, headers=auth(keys["rep2"])
    )
    assert response.status_code == 404
    assert "120,000" not in response.text


def test_an_empty_question_is_a_422_naming_the_field(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.post("/v1/ask", json={"question": ""}, headers=auth(keys["rep1"]))
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "body.question"


def test_asking_requires_a_key(client: TestClient) -> None:
    assert client.post("/v1/ask", json={"question": "Pipeline?"}).status_code == 401
