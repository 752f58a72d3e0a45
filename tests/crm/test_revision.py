"""Remembered fingerprints: reused until a write to their tables, or until the re-check."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm import revision
from crm.models import Account, User

CREATED = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _accounts(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Account)).scalar_one())


def _remember(engine: Engine) -> int:
    return revision.remembered(engine, "accounts", ["accounts"], lambda: _accounts(engine))


def _add_account(engine: Engine, account_id: str) -> None:
    with Session(engine) as session:
        session.add(Account(id=account_id, name=account_id, created_at=CREATED))
        session.commit()


def test_a_fingerprint_is_reused_until_its_table_is_written(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(revision, "RECHECK_SECONDS", 3600.0)
    revision.forget()
    assert _remember(engine) == 0
    with engine.begin() as conn:  # a table the fingerprint does not read
        conn.execute(insert(User).values(id="u1", name="U", role="rep"))
    with Session(engine) as session:  # the counted table behind the process's back
        session.connection().exec_driver_sql(
            "INSERT INTO accounts (id, name, created_at) VALUES ('A0', 'A0', '2024-01-01')"
        )
        session.commit()
    assert _remember(engine) == 0  # not seen: a raw write, within RECHECK_SECONDS
    _add_account(engine, "A1")
    assert _remember(engine) == 2


def test_writes_to_other_tables_leave_the_fingerprint_alone(engine: Engine) -> None:
    revision.forget()
    before = revision.writes(engine, ["accounts"])
    with Session(engine) as session:
        session.add(User(id="u2", name="U", role="rep"))
        session.commit()
    assert revision.writes(engine, ["accounts"]) == before
    assert revision.writes(engine, ["users"]) > 0


def test_the_fingerprint_is_checked_again_after_the_recheck_delay(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    revision.forget()
    assert _remember(engine) == 0
    with Session(engine) as session:
        session.connection().exec_driver_sql(
            "INSERT INTO accounts (id, name, created_at) VALUES ('A0', 'A0', '2024-01-01')"
        )
        session.commit()
    monkeypatch.setattr(revision, "RECHECK_SECONDS", 0.0)
    assert _remember(engine) == 1


def test_raw_driver_writes_count_when_reported(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(revision, "RECHECK_SECONDS", 3600.0)
    revision.forget()
    assert _remember(engine) == 0
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO accounts (id, name, created_at) VALUES ('A0', 'A0', '2024-01-01')"
        )
        revision.wrote(conn, "accounts")
    assert _remember(engine) == 1
