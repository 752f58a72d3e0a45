"""``/v1/import``: a zip of canonical CSVs, checked like the CLI does, all or nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from builders_api import auth
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from crm.models import Account

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "csv"


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _example(*names: str) -> dict[str, str]:
    return {f"export/{n}.csv": (EXAMPLES / f"{n}.csv").read_text() for n in names}


def _post(client: TestClient, key: str, data: bytes, **params: str) -> Any:
    files = {"file": ("crm.zip", data, "application/zip")}
    return client.post("/v1/import", files=files, params=params, headers=auth(key))


def _accounts(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Account)).one()


def test_an_admin_imports_a_zip_of_canonical_csvs(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    response = _post(client, keys["admin"], _zip(_example("users", "accounts")))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["committed"] is True
    counts = {t["table"]: (t["rows"], t["inserted"]) for t in report["tables"]}
    assert counts == {"users": (3, 3), "accounts": (3, 3)}
    assert _accounts(engine) == 2 + 3


def test_a_dry_run_writes_nothing(client: TestClient, keys: dict[str, str], engine: Engine) -> None:
    data = _zip(_example("users", "accounts"))
    response = _post(client, keys["admin"], data, dry_run="true")
    assert response.json()["committed"] is False
    assert _accounts(engine) == 2


def test_a_bad_row_is_a_422_naming_file_and_line_and_nothing_is_written(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    files = _example("users", "accounts")
    files["export/accounts.csv"] = files["export/accounts.csv"].replace(",120,", ",many,", 1)
    response = _post(client, keys["admin"], _zip(files))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import_failed"
    assert error["message"] == "1 problem(s); nothing was written"
    assert error["fields"][0]["field"] == "accounts.csv:2"
    assert _accounts(engine) == 2


def test_a_file_that_is_not_a_zip_is_a_422(client: TestClient, keys: dict[str, str]) -> None:
    response = _post(client, keys["admin"], b"id,name\n1,x\n")
    assert response.status_code == 422
    assert "not a valid zip" in response.json()["error"]["message"]


def test_only_admins_may_import(client: TestClient, keys: dict[str, str], engine: Engine) -> None:
    response = _post(client, keys["mgr"], _zip(_example("users", "accounts")))
    assert response.status_code == 403
    assert _accounts(engine) == 2


def test_importing_requires_a_key(client: TestClient) -> None:
    files = {"file": ("crm.zip", _zip(_example("users")), "application/zip")}
    assert client.post("/v1/import", files=files).status_code == 401
