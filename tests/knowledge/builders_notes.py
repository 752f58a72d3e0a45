"""A small CRM world with notes, for the indexing and search tests.

Users: ``rep1`` and ``rep2`` report to ``mgr`` (team east), ``rep3`` is in team west,
``boss`` is an admin. Accounts ``A1`` (rep1), ``A2`` (rep2), ``A3`` (rep3);
opportunity ``O1`` on A1 (rep1). Notes (activities with a body):

========  =========  ====  ===========  ==========================================
id        account    opp   occurred_at  body
========  =========  ====  ===========  ==========================================
N1        A1         O1    2024-03-01   the CFO Maria approves the budget and signs
N2        A1         -     2024-03-10   lunch with the team at the italian place
N3        A2         -     2024-03-05   the CFO Peter approves the budget and signs
N4        A3         -     2024-03-07   the CFO Ling approves the budget and signs
N5        A1         -     2024-06-01   budget approved by the CFO after the audit
========  =========  ====  ===========  ==========================================

plus ``T1``, a task on A1 without a body (never indexed).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Account, Activity, Contact, Opportunity, Stage, User

CREATED = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


def at(day: str) -> dt.datetime:
    """Noon UTC of an ISO day."""
    return dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.UTC)


def note(id_: str, account: str | None, day: str, body: str | None, **fields: object) -> Activity:
    """An activity of kind ``note`` (override with ``kind=...``)."""
    values: dict[str, object] = {"kind": "note", "user_id": None, "subject": None}
    values.update(fields)
    return Activity(id=id_, account_id=account, occurred_at=at(day), body=body, **values)  # type: ignore[arg-type]


def build_world(engine: Engine) -> None:
    """Write the world described in the module docstring."""
    with Session(engine) as session:
        session.add_all(
            [
                User(id="boss", name="Boss", role="admin"),
                User(id="mgr", name="Manager", role="manager", team="east"),
                User(id="rep1", name="Rep One", role="rep", team="east", manager_id="mgr"),
                User(id="rep2", name="Rep Two", role="rep", team="east", manager_id="mgr"),
                User(id="rep3", name="Rep Three", role="rep", team="west"),
                Stage(name="Discovery", position=1, probability=0.1),
            ]
        )
        session.flush()
        session.add_all(
            [
                Account(id="A1", name="Acme", owner_id="rep1", created_at=CREATED),
                Account(id="A2", name="Globex", owner_id="rep2", created_at=CREATED),
                Account(id="A3", name="Initech", owner_id="rep3", created_at=CREATED),
            ]
        )
        session.flush()
        session.add_all(
            [
                Contact(id="C1", account_id="A1", name="Maria Lopez", title="CFO"),
                Opportunity(
                    id="O1",
                    name="Acme renewal",
                    account_id="A1",
                    owner_id="rep1",
                    stage="Discovery",
                    created_at=CREATED,
                ),
            ]
        )
        session.flush()
        session.add_all(
            [
                note(
                    "N1",
                    "A1",
                    "2024-03-01",
                    "The CFO Maria approves the budget and signs the contract.",
                    opportunity_id="O1",
                    contact_id="C1",
                    user_id="rep1",
                ),
                note("N2", "A1", "2024-03-10", "Lunch with the team at the italian place."),
                note("N3", "A2", "2024-03-05", "The CFO Peter approves the budget and signs."),
                note("N4", "A3", "2024-03-07", "The CFO Ling approves the budget and signs."),
                note("N5", "A1", "2024-06-01", "Budget approved by the CFO after the audit."),
                note("T1", "A1", "2024-03-02", None, kind="task", subject="Send deck"),
            ]
        )
        session.commit()
