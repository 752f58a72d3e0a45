"""API keys: hashed at rest, bound to a user, revocable; missing or wrong keys get a JSON 401."""

from __future__ import annotations

import pytest
from builders_api import auth
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.auth import InvalidKey, authenticate, create_key, list_keys, revoke_key
from crm.models import ApiKey
from crm.scope import UnknownUser


def test_a_created_key_authenticates_as_its_user(engine: Engine, keys: dict[str, str]) -> None:
    with Session(engine) as session:
        assert authenticate(session, keys["rep1"]) == "rep1"
        assert authenticate(session, keys["mgr"]) == "mgr"


def test_only_a_salted_hash_of_the_key_is_stored(engine: Engine, keys: dict[str, str]) -> None:
    secret = keys["rep1"].split("_", 2)[2]
    with Session(engine) as session:
        hashes = list(session.exec(select(ApiKey.hash)).all())
    salts = {stored.split("$")[0] for stored in hashes}
    assert all(secret not in stored for stored in hashes)
    assert all(len(stored) == 32 + 1 + 64 for stored in hashes)
    assert len(salts) == len(hashes) == 4


def test_a_wrong_secret_with_a_real_prefix_is_refused(engine: Engine, keys: dict[str, str]) -> None:
    forged = keys["rep1"][:-4] + "AAAA"
    with Session(engine) as session, pytest.raises(InvalidKey):
        authenticate(session, forged)


@pytest.mark.parametrize("key", ["", "nonsense", "dw__", "dw_abc_", "xx_abcd1234_secret"])
def test_malformed_keys_are_refused(engine: Engine, keys: dict[str, str], key: str) -> None:
    with Session(engine) as session, pytest.raises(InvalidKey):
        authenticate(session, key)


def test_a_revoked_key_no_longer_authenticates(engine: Engine, keys: dict[str, str]) -> None:
    prefix = keys["rep2"].split("_")[1]
    with Session(engine) as session:
        revoked = revoke_key(session, prefix)
        session.commit()
        assert revoked.revoked_at is not None
        with pytest.raises(InvalidKey):
            authenticate(session, keys["rep2"])


def test_a_key_can_be_revoked_by_id_and_unknown_keys_are_reported(engine: Engine) -> None:
    with Session(engine) as session:
        from builders_deals import add_world

        add_world(session)
        issued = create_key(session, "admin")
        assert revoke_key(session, issued.id).prefix == issued.prefix
        with pytest.raises(LookupError):
            revoke_key(session, "nope")


def test_keys_are_only_issued_to_known_users(engine: Engine, keys: dict[str, str]) -> None:
    with Session(engine) as session, pytest.raises(UnknownUser):
        create_key(session, "ghost")


def test_using_a_key_records_when_it_was_last_used(engine: Engine, keys: dict[str, str]) -> None:
    with Session(engine) as session:
        authenticate(session, keys["admin"])
        used = [k for k in list_keys(session) if k.user_id == "admin"]
    assert used[0].last_used_at is not None


def test_a_request_without_a_key_gets_a_json_401(client: TestClient) -> None:
    response = client.get("/v1/pipeline")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthorized"
    assert "missing API key" in error["message"]
    assert error["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("header", [auth("dw_00000000_wrong"), {"X-API-Key": "garbage"}])
def test_a_request_with_a_wrong_key_gets_a_json_401(
    client: TestClient, header: dict[str, str]
) -> None:
    response = client.get("/v1/accounts/A1/summary", headers=header)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "invalid or revoked API key"


def test_the_key_may_also_come_in_the_x_api_key_header(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.get("/v1/pipeline", headers={"X-API-Key": keys["rep1"]})
    assert response.status_code == 200


def test_me_names_the_user_behind_the_key(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get("/v1/me", headers=auth(keys["mgr"]))
    assert response.json() == {
        "user_id": "mgr",
        "name": "Mona Manager",
        "role": "manager",
        "team": "A",
    }
    assert client.get("/v1/me").status_code == 401
