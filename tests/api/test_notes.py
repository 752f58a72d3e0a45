"""``/v1/notes``: a note is stored, its roles and preferences returned, then indexed."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from builders_api import auth
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import knowledge.indexing
from crm.models import Activity, ContactRoleFact, PreferenceFact
from knowledge.indexing import index_notes
from knowledge.search import NoteIndex, note_filter

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


def _indexed_with_a_scope_table(engine: Engine, note_index: NoteIndex) -> None:
    """Ten notes on rep2's A2, fully indexed: a scope table exists and rep1's notes are
    a narrow scope (under a quarter of the index), searched through the table."""
    with Session(engine) as session:
        session.add_all(
            Activity(
                id=f"F{i}",
                kind="call",
                occurred_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                account_id="A2",
                body=f"Filler call {i} about invoices.",
            )
            for i in range(10)
        )
        session.commit()
        index_notes(session, note_index)
    assert note_index.scope_table() is not None


def _table_search(note_index: NoteIndex, owner: str) -> list[str] | None:
    """The notes a scope-table search finds for ``owner`` (``None``: the table declined)."""
    where = note_filter(owner_ids=frozenset({owner}), before=None)
    found = note_index._scoped(note_index.embedder.embed([NOTE]), where, 15)
    return None if found is None else [str(m["activity_id"]) for m in found[1]]


def test_a_posted_note_alone_is_indexed_and_the_scope_table_keeps_up(
    client: TestClient,
    keys: dict[str, str],
    engine: Engine,
    note_index: NoteIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _indexed_with_a_scope_table(engine, note_index)

    def no_full_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("a posted note must not start a full indexing run")

    monkeypatch.setattr(knowledge.indexing, "index_notes", no_full_run)
    response = client.post(
        "/v1/notes", json={"account_id": "A1", "body": NOTE}, headers=auth(keys["rep1"])
    )
    posted = response.json()["activity_id"]
    assert _table_search(note_index, "rep1") == [posted]
    assert posted not in (_table_search(note_index, "rep2") or [])


def test_two_notes_posted_at_once_are_both_in_the_scope_table(
    client: TestClient, keys: dict[str, str], engine: Engine, note_index: NoteIndex
) -> None:
    if engine.dialect.name == "sqlite":  # the in-memory store is one shared connection
        pytest.skip("two requests at once need a real database: runs on PostgreSQL")
    _indexed_with_a_scope_table(engine, note_index)
    barrier = threading.Barrier(2)
    posted: list[str] = []

    def post(body: str) -> None:
        barrier.wait()
        response = client.post(
            "/v1/notes", json={"account_id": "A1", "body": body}, headers=auth(keys["rep1"])
        )
        posted.append(response.json()["activity_id"])

    threads = [threading.Thread(target=post, args=(f"{NOTE} Call {i}.",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    table = note_index.scope_table()
    assert table is not None and len(posted) == 2
    assert {f"{p}#0" for p in posted} <= set(table.ids.tolist())
    assert sorted(_table_search(note_index, "rep1") or []) == sorted(posted)


def test_an_indexing_failure_is_logged_and_the_note_still_stored(
    client: TestClient,
    keys: dict[str, str],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("chroma is down")

    monkeypatch.setattr(knowledge.indexing, "index_posted_notes", broken)
    with caplog.at_level(logging.ERROR, logger="dealwise.api"):
        response = client.post(
            "/v1/notes", json={"account_id": "A1", "body": NOTE}, headers=auth(keys["rep1"])
        )
    assert response.status_code == 201 and response.json()["index"] == "queued"
    assert [n.id for n in _notes(engine)] == [response.json()["activity_id"]]
    assert "indexing note" in caplog.text and "chroma is down" in caplog.text
    assert client.get("/healthz").status_code == 200
