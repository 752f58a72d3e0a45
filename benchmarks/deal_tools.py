"""Deal review and next-best-action latency on the demo world.

``python -m benchmarks deal_tools [--scale 500] [--db PATH] [--reviews 60] [--books 12]``

Builds the seeded demo world at ``--scale`` once (cached in ``--db``), plants the role and
preference facts the knowledge extractor would write (taken from the notes' ground-truth
labels, see :func:`plant_facts`), then measures, as the deal's owner: one cold
``deal_review`` (fits the stage norms and the win model), p50/p95 of warm reviews of random
open deals, and p50/p95 of ``next_best_actions`` over a rep's whole book.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from pathlib import Path

from sqlalchemy import and_, insert, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from api.app import settle_gc
from crm.db import create_all, make_engine
from crm.models import (
    Activity,
    Contact,
    ContactRoleFact,
    NoteLabel,
    Opportunity,
    PreferenceFact,
    Stage,
    User,
)
from tools.actions import next_best_actions
from tools.context import ToolContext
from tools.deals import deal_review

AS_OF = dt.date(2026, 6, 30)


def plant_facts(engine: Engine) -> None:
    """Write role and preference facts from the note labels (a perfect extractor's output)."""
    stance = aliased(NoteLabel)
    role_rows = (
        select(
            col(NoteLabel.activity_id), col(Activity.account_id), col(Activity.opportunity_id),
            col(NoteLabel.contact_id), col(Contact.name), col(NoteLabel.label), col(stance.label),
            col(NoteLabel.sentence), col(Activity.occurred_at), literal("truth"),
        )
        .join(Activity, col(Activity.id) == col(NoteLabel.activity_id))
        .join(Contact, col(Contact.id) == col(NoteLabel.contact_id))
        .outerjoin(stance, and_(col(stance.activity_id) == col(NoteLabel.activity_id),
                                col(stance.contact_id) == col(NoteLabel.contact_id),
                                col(stance.kind) == "stance"))
        .where(col(NoteLabel.kind) == "role", col(NoteLabel.sentence).is_not(None))
    )  # fmt: skip
    pref_rows = (
        select(
            col(NoteLabel.activity_id), col(Activity.account_id), col(NoteLabel.contact_id),
            col(NoteLabel.label), col(NoteLabel.value), col(NoteLabel.sentence),
            col(Activity.occurred_at), literal("truth"),
        )
        .join(Activity, col(Activity.id) == col(NoteLabel.activity_id))
        .where(col(NoteLabel.kind) == "preference", col(NoteLabel.value).is_not(None),
               col(NoteLabel.sentence).is_not(None))
    )  # fmt: skip
    role_cols = ["activity_id", "account_id", "opportunity_id", "contact_id", "person", "role",
                 "stance", "sentence", "occurred_at", "extractor"]  # fmt: skip
    pref_cols = ["activity_id", "account_id", "contact_id", "category", "value", "sentence",
                 "occurred_at", "extractor"]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(ContactRoleFact).from_select(role_cols, role_rows))
        conn.execute(insert(PreferenceFact).from_select(pref_cols, pref_rows))


def build(path: Path, scale: float) -> Engine:
    """The cached demo store at ``path`` (built with facts on first use)."""
    fresh = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    if fresh:
        from crm.demo import build_demo

        start = time.perf_counter()
        create_all(engine)
        build_demo(engine, scale=scale, as_of=AS_OF)
        plant_facts(engine)
        print(f"built demo world scale {scale} in {time.perf_counter() - start:.0f} s")
    return engine


def _ms(samples: list[tuple[float, float]]) -> str:
    """p50/p95 of wall time, each with the CPU time of the same call (the machine is shared)."""
    ordered = sorted(samples)
    p50, p95 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"p50 {p50[0]:.1f} ms (cpu {p50[1]:.1f}), p95 {p95[0]:.1f} ms (cpu {p95[1]:.1f}), "
        f"mean cpu {statistics.mean(c for _, c in ordered):.1f} ms (n={len(ordered)})"
    )


def _in_session(engine: Engine, tool: object, user: str, **args: object) -> tuple[float, float]:
    """(wall ms, CPU ms) of one tool call by ``user`` in a session of its own."""
    start, cpu = time.perf_counter(), time.process_time()
    with Session(engine) as session:
        tool(ToolContext.for_user(session, user, AS_OF), **args)  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks deal_tools")
    parser.add_argument("--scale", type=float, default=500)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--reviews", type=int, default=60)
    parser.add_argument("--books", type=int, default=12)
    args = parser.parse_args(argv)
    path = args.db or Path(f".dealwise/bench/deal_tools_{args.scale:g}.db")
    engine = build(path, args.scale)
    rng = random.Random(7)
    with Session(engine) as session:
        open_deals = [
            (str(oid), str(owner))
            for oid, owner in session.execute(
                select(col(Opportunity.id), col(Opportunity.owner_id))
                .join(Stage, col(Stage.name) == Opportunity.stage)
                .where(col(Stage.outcome) == "open")
            ).all()
        ]
        reps = [
            str(r)
            for r in session.execute(select(col(User.id)).where(col(User.role) == "rep")).scalars()
        ]
    print(f"store: {len(open_deals)} open deals, {len(reps)} reps ({path})")
    picks = rng.sample(open_deals, min(args.reviews, len(open_deals)))
    first_id, first_owner = picks[0]
    cold = _in_session(engine, deal_review, first_owner, opportunity_id=first_id)
    print(f"deal_review cold (fits stage norms + win model): {cold[0]:.0f} ms "
          f"(cpu {cold[1]:.0f} ms)")  # fmt: skip
    settle_gc()  # warm calls as a server process makes them (dealwise serve)
    # Each warm call opens its own session, as each API request and Slack command does.
    warm = [_in_session(engine, deal_review, owner, opportunity_id=oid) for oid, owner in picks]
    print(f"deal_review warm: {_ms(warm)}")
    books = [
        _in_session(engine, next_best_actions, rep)
        for rep in rng.sample(reps, min(args.books, len(reps)))
    ]
    print(f"next_best_actions (a rep's whole book): {_ms(books)}")
