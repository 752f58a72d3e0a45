"""A seeded world where engaged deals (activity, several contacts) usually win."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlmodel import Session

from crm.models import Activity, Contact, Opportunity, StageHistory
from tests.tools.builders_pipeline import World

PATH = ("Prospecting", "Qualification", "Proposal", "Negotiation")
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def signal_world(session: Session, n: int = 120, seed: int = 3) -> World:
    """``n`` closed deals (engaged ones win 85 %, quiet ones 15 %) and two open deals.

    Open deal ``HOT`` is engaged (three contacts, activity two days ago); ``COLD`` had
    one call 70 days before as_of (2026-06-30). Both sit in Proposal since 2026-06-10.
    """
    w = World(session)
    w.user("admin", role="admin")
    w.user("rep1", team="A")
    w.user("rep2", team="B")
    w.account("ACC", "rep1", industry="Retail")
    for c in range(3):
        session.add(Contact(id=f"C{c}", account_id="ACC", name=f"Contact {c}"))
    session.flush()
    rng = np.random.default_rng(seed)
    rows: list[object] = []
    acts: list[object] = []
    for i in range(n):
        engaged = bool(i % 2)
        won = rng.random() < (0.85 if engaged else 0.15)
        created = START + dt.timedelta(days=5 * i)
        steps = 2 + int(rng.integers(0, 3))
        final = created + dt.timedelta(days=10 * steps + 10)
        rows += _deal(f"D{i:03d}", "rep1" if i % 3 else "rep2", created, steps, won, final)
        acts += _activities(f"D{i:03d}", created, final, engaged)
    session.add_all(rows)
    session.flush()
    session.add_all(acts)
    session.commit()
    as_of = dt.datetime(2026, 6, 10, tzinfo=dt.UTC)
    for name, engaged in (("HOT", True), ("COLD", False)):
        w.deal(name, "rep1", [("Prospecting", "2026-05-01"), ("Proposal", "2026-06-10")],
               amount=20000, account="ACC", close="2026-08-31")  # fmt: skip
        session.add_all(_activities(name, as_of - dt.timedelta(days=50), as_of, engaged))
        session.commit()
    for c in range(3):
        w.activity("HOT", "2026-06-28", contact=f"C{c}")
    return w


def _deal(
    id_: str, owner: str, created: dt.datetime, steps: int, won: bool, final: dt.datetime
) -> list[object]:
    outcome = "Closed Won" if won else "Closed Lost"
    rows: list[object] = [
        Opportunity(id=id_, name=id_, owner_id=owner, stage=outcome, account_id="ACC",
                    amount_cents=1_000_000, created_at=created, close_date=final.date())
    ]  # fmt: skip
    for k in range(steps):
        entered = created + dt.timedelta(days=10 * k)
        rows.append(StageHistory(opportunity_id=id_, stage=PATH[k], entered_at=entered))
    rows.append(StageHistory(opportunity_id=id_, stage=outcome, entered_at=final))
    return rows


def _activities(id_: str, start: dt.datetime, end: dt.datetime, engaged: bool) -> list[object]:
    if not engaged:
        return [Activity(id=f"{id_}-a0", kind="call", occurred_at=start, opportunity_id=id_)]
    days = range(0, max(1, (end - start).days), 3)
    return [
        Activity(id=f"{id_}-a{d}", kind="call", occurred_at=start + dt.timedelta(days=d, hours=1),
                 opportunity_id=id_, contact_id=f"C{d % 3}")
        for d in days
    ]  # fmt: skip
