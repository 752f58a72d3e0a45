"""``/v1/notes``: a note is stored, its roles and preferences returned, then indexed."""

from __future__ import annotations

import pytest
from builders_api import auth
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm.models import Activity, ContactRoleFact, PreferenceFact
from knowledge.search import NoteIndex

NOTE = "Maria Berg is the decision maker and wants net 60 payment terms."


def _notes(engine: Engine) -> list[Activity]:
    with Session(engine) as session:
        return list(session.exec(select(Activity).where(col(Activity.id).startswith("api-"))))


def test_a_note_is_stored_under_its_author_with_its_facts(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    response = client.post(
        "/v1/notes", json={"account_id": "A1", "body": NOTE}, headers=auth(keys["rep1"])
    )
    assert response.status_code == 201
    body = response.json()
    assert [(c["contact_id"], c["role"]) for c in body["contacts"]] == [("C2", "decision_maker")]
    assert [(p["category"], p["value"]) for p in body["preferences"]] == [
        ("payment_terms", "net 60")
    ]
    [stored] = _notes(engine)
    assert (stored.id, stored.user_id, stored.body) == (body["activity_id"], "rep1", NOTE)
    with Session(engine) as session:
        roles = session.exec(select(ContactRoleFact.role)).all()
        prefs = session.exec(select(PreferenceFact.value)).all()
    assert (list(roles), list(prefs)) == (["decision_maker"], ["net 60"])


def test_a_note_on_a_deal_is_filed_under_its_account_and_indexed(
    client: TestClient, keys: dict[str, str], engine: Engine, note_index: NoteIndex
) -> None:
    response = client.post(
        "/v1/notes", json={"opportunity_id": "O1", "body": NOTE}, headers=auth(keys["rep1"])
    )
    assert response.json()["index"] == "queued"
    assert [n.account_id for n in _notes(engine)] == ["A1"]
    held = note_index.collection().get(include=["metadatas"])
    assert [m["activity_id"] for m in held["metadatas"] or []] == [response.json()["activity_id"]]


@pytest.mark.parametrize(
    "target", [{"account_id": "A1"}, {"opportunity_id": "O1"}, {"account_id": "A9"}]
)
def test_a_note_on_a_foreign_or_missing_record_is_a_404_and_not_stored(
    client: TestClient, keys: dict[str, str], engine: Engine, target: dict[str, str]
) -> None:
    response = client.post("/v1/notes", json={**target, "body": NOTE}, headers=auth(keys["rep2"]))
    assert response.status_code == 404
    assert _notes(engine) == []


def test_a_contact_of_another_account_is_a_404(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    payload = {"account_id": "A1", "contact_id": "C5", "body": NOTE}
    response = client.post("/v1/notes", json=payload, headers=auth(keys["admin"]))
    assert response.status_code == 404
    assert _notes(engine) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": NOTE}, "body"),
        ({"account_id": "A1"}, "body.body"),
        ({"account_id": "A1", "body": NOTE, "kind": "fax"}, "body.kind"),
    ],
)
def test_an_incomplete_note_is_a_422(
    client: TestClient, keys: dict[str, str], payload: dict[str, str], field: str
) -> None:
    response = client.post("/v1/notes", json=payload, headers=auth(keys["rep1"]))
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == field


def test_logging_a_note_requires_a_key(client: TestClient) -> None:
    assert client.post("/v1/notes", json={"account_id": "A1", "body": NOTE}).status_code == 401
