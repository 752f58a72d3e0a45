"""A small CRM world with notes for the extraction tests.

Users ``rep1`` and ``rep2`` (reps), ``boss`` (admin). Account ``A1`` (rep1) has contacts
``C1`` Maria Chen (CFO) and ``C2`` Tom Berg (IT Security Lead); ``A2`` (rep2) has ``C3``
Peter Lang (CEO). Opportunity ``O1`` on A1 (rep1). As of 2024-06-30:

====  =======  ====  ==========  ===========================================================
id    account  opp   day         body
====  =======  ====  ==========  ===========================================================
N1    A1       -     2024-03-01  Maria Chen will sign off, while Tom Berg in IT is checking
                                 security. They pay net 60.
N2    -        O1    2024-04-01  The CFO prefers WhatsApp.
N3    A2       -     2024-03-05  Peter Lang owns the budget.
N4    A1       -     2024-08-01  Tom is now pushing for a competitor.
N5    A1       -     2024-05-01  Lunch at the italian place.
T1    A1       -     2024-03-02  (a task without a body)
====  =======  ====  ==========  ===========================================================
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Account, Contact, Opportunity, Stage, User
from crm.scope import scope_for
from tests.knowledge.builders_notes import CREATED, note
from tools.context import ToolContext

AS_OF = dt.date(2024, 6, 30)
N1_TEXT = "Maria Chen will sign off, while Tom Berg in IT is checking security. They pay net 60."


def build_world(engine: Engine) -> None:
    """Write the world described in the module docstring."""
    with Session(engine) as session:
        session.add_all(
            [
                User(id="boss", name="Boss", role="admin"),
                User(id="rep1", name="Rep One", role="rep"),
                User(id="rep2", name="Rep Two", role="rep"),
                Stage(name="Discovery", position=1, probability=0.1),
            ]
        )
        session.flush()
        session.add_all(
            [
                Account(id="A1", name="Northwind", owner_id="rep1", created_at=CREATED),
                Account(id="A2", name="Helios", owner_id="rep2", created_at=CREATED),
            ]
        )
        session.flush()
        session.add_all(
            [
                Contact(id="C1", account_id="A1", name="Maria Chen", title="CFO"),
                Contact(id="C2", account_id="A1", name="Tom Berg", title="IT Security Lead"),
                Contact(id="C3", account_id="A2", name="Peter Lang", title="CEO"),
                Opportunity(
                    id="O1",
                    name="Northwind rollout",
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
                note("N1", "A1", "2024-03-01", N1_TEXT),
                note("N2", None, "2024-04-01", "The CFO prefers WhatsApp.", opportunity_id="O1"),
                note("N3", "A2", "2024-03-05", "Peter Lang owns the budget."),
                note("N4", "A1", "2024-08-01", "Tom is now pushing for a competitor."),
                note("N5", "A1", "2024-05-01", "Lunch at the italian place."),
                note("T1", "A1", "2024-03-02", None),
            ]
        )
        session.commit()


def ctx_for(session: Session, user_id: str, as_of: dt.date = AS_OF) -> ToolContext:
    """The tool context of ``user_id`` on the world."""
    return ToolContext(session=session, scope=scope_for(session, user_id), as_of=as_of)
