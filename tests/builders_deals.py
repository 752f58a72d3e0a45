"""A small hand-made world for the deal, committee and action tests.

as_of is 2026-06-30. rep1 (team A, manager mgr) owns Acme (A1) and the "Acme renewal"
(O1: Negotiation, EUR 120,000, closes in 21 days, next step in 3 days); rep2 (team B)
owns Brightline Foods (A2) and "Brightline expansion" (O2). Acme has four contacts.
Helpers add notes, role facts, preference facts and stage/close-date history by
"days before the end of as_of".
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from crm.models import (
    Account,
    Activity,
    CloseDateChange,
    Contact,
    ContactRoleFact,
    Opportunity,
    Order,
    PreferenceFact,
    Stage,
    StageHistory,
    User,
)

AS_OF = dt.date(2026, 6, 30)
END = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)

STAGES = [
    ("Prospecting", 1, 0.1, "open"),
    ("Qualification", 2, 0.25, "open"),
    ("Proposal", 3, 0.5, "open"),
    ("Negotiation", 4, 0.75, "open"),
    ("Closed Won", 5, 1.0, "won"),
    ("Closed Lost", 6, 0.0, "lost"),
]


def at(days_ago: float) -> dt.datetime:
    """The instant ``days_ago`` days before the end of as_of."""
    return END - dt.timedelta(days=days_ago)


def day(offset: int) -> dt.date:
    """as_of shifted by ``offset`` days."""
    return AS_OF + dt.timedelta(days=offset)


def add_world(session: Session) -> None:
    """Users, stages, two accounts with contacts and one open deal each."""
    session.add_all(
        [
            User(id="admin", name="Ada Admin", role="admin"),
            User(id="mgr", name="Mona Manager", role="manager", team="A"),
            User(id="rep1", name="Rita Rep", role="rep", team="A", manager_id="mgr"),
            User(id="rep2", name="Rolf Rep", role="rep", team="B"),
        ]
    )
    session.add_all(Stage(name=n, position=p, probability=pr, outcome=o) for n, p, pr, o in STAGES)
    session.flush()
    session.add_all(
        [
            Account(id="A1", name="Acme", owner_id="rep1", created_at=at(900)),
            Account(id="A2", name="Brightline Foods", owner_id="rep2", created_at=at(900)),
        ]
    )
    session.flush()
    session.add_all(
        [
            Contact(id="C1", account_id="A1", name="Jonas Lindqvist", title="Head of Operations"),
            Contact(id="C2", account_id="A1", name="Maria Berg", title="CFO"),
            Contact(id="C3", account_id="A1", name="Tom Eriksen", title="IT Lead"),
            Contact(id="C4", account_id="A1", name="Eva Holm", title="Procurement"),
            Contact(id="C5", account_id="A2", name="Bo Lund", title="Owner"),
        ]
    )
    session.add_all(
        [
            Opportunity(
                id="O1", name="Acme renewal", account_id="A1", owner_id="rep1",
                stage="Negotiation", amount_cents=12_000_000, created_at=at(90),
                close_date=day(21), next_step="Send contract", next_step_date=day(3),
            ),
            Opportunity(
                id="O2", name="Brightline expansion", account_id="A2", owner_id="rep2",
                stage="Proposal", amount_cents=4_000_000, created_at=at(60), close_date=day(40),
            ),
        ]
    )  # fmt: skip
    session.add_all(
        [
            Order(id="R1", account_id="A1", order_date=day(-200), amount_cents=10_000_000),
            Order(id="R2", account_id="A2", order_date=day(-100), amount_cents=3_000_000),
        ]
    )
    session.flush()


def add_activity(
    session: Session,
    activity_id: str,
    days_ago: float,
    *,
    kind: str = "note",
    contact_id: str | None = None,
    opportunity_id: str | None = "O1",
    account_id: str | None = "A1",
    body: str | None = None,
) -> None:
    """Log an activity (a note by default) on the Acme renewal."""
    session.add(
        Activity(
            id=activity_id, kind=kind, occurred_at=at(days_ago), account_id=account_id,
            opportunity_id=opportunity_id, contact_id=contact_id, user_id="rep1", body=body,
        )
    )  # fmt: skip
    session.flush()


def add_role(
    session: Session,
    activity_id: str,
    days_ago: float,
    person: str,
    role: str,
    *,
    contact_id: str | None = None,
    stance: str | None = None,
    influence: str | None = None,
    opportunity_id: str | None = "O1",
    account_id: str | None = "A1",
) -> None:
    """Record that note ``activity_id`` (created if new) gives ``person`` a role."""
    if session.get(Activity, activity_id) is None:
        add_activity(
            session, activity_id, days_ago, opportunity_id=opportunity_id, account_id=account_id,
            body=f"{person} is {role}.",
        )  # fmt: skip
    session.add(
        ContactRoleFact(
            activity_id=activity_id, account_id=account_id, opportunity_id=opportunity_id,
            contact_id=contact_id, person=person, role=role, stance=stance, influence=influence,
            sentence=f"{person} is {role}.", occurred_at=at(days_ago), extractor="test",
        )
    )  # fmt: skip
    session.flush()


def add_preference(
    session: Session,
    activity_id: str,
    days_ago: float,
    category: str,
    value: str,
    *,
    contact_id: str | None = None,
    account_id: str = "A1",
) -> None:
    """Record that note ``activity_id`` (created if new) states a preference."""
    if session.get(Activity, activity_id) is None:
        add_activity(session, activity_id, days_ago, account_id=account_id, opportunity_id=None)
    session.add(
        PreferenceFact(
            activity_id=activity_id, account_id=account_id, contact_id=contact_id,
            category=category, value=value, sentence=f"They {value}.",
            occurred_at=at(days_ago), extractor="test",
        )
    )  # fmt: skip
    session.flush()


def enter_stage(session: Session, opportunity_id: str, stage: str, days_ago: float) -> None:
    """Record that the deal entered ``stage``."""
    session.add(StageHistory(opportunity_id=opportunity_id, stage=stage, entered_at=at(days_ago)))
    session.flush()


def push_close_date(
    session: Session, opportunity_id: str, days_ago: float, old: dt.date, new: dt.date
) -> None:
    """Record a change of the deal's close date from ``old`` to ``new``."""
    session.add(
        CloseDateChange(
            opportunity_id=opportunity_id, changed_at=at(days_ago),
            previous_close_date=old, new_close_date=new,
        )
    )  # fmt: skip
    session.flush()
