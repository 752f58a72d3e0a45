"""A realistic, seeded demo world for Dealwise: ``build_demo(engine, scale=..., seed=...)``.

Everything is generated relative to ``as_of`` (nothing is dated after it), vectorised per
entity type with numpy, and bulk-written in one transaction. The same seed and ``as_of``
give identical tables. The planted ground truth (account behaviours, deal scenarios,
contact roles) goes to ``demo_truth``; what each note states goes to ``note_labels``.

Imports only numpy, sqlalchemy/sqlmodel and ``crm``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from crm.demo.catalog import make_products, make_stages
from crm.demo.companies import make_accounts
from crm.demo.config import Columns, DemoConfig
from crm.demo.history import close_date_changes, deal_orders, stage_history
from crm.demo.marketing import make_leads, make_spend
from crm.demo.notes import make_activities
from crm.demo.orders import make_orders
from crm.demo.people import make_contacts, make_users
from crm.demo.pipeline import make_pipeline
from crm.demo.service import make_surveys, make_tickets
from crm.demo.summary import DemoSummary, summarise
from crm.demo.truth import make_truth
from crm.demo.writer import Progress, write_tables

__all__ = ["DemoConfig", "DemoSummary", "build_demo", "generate"]

DEFAULT_SEED = 7


def generate(cfg: DemoConfig, progress: Progress | None = None) -> dict[str, Columns]:
    """Generate every table of the demo world in memory (column arrays per table)."""
    steps = 8

    def step(name: str, k: int) -> None:
        if progress:
            progress(f"generating {name}", k, steps)

    step("people", 0)
    users = make_users(cfg)
    reps = users["id"][users["role"] == "rep"]
    accounts = make_accounts(cfg, reps)
    contacts = make_contacts(cfg, accounts)
    step("pipeline", 1)
    deals, hidden_dm = make_pipeline(cfg, accounts, reps)
    step("orders", 2)
    orders = make_orders(cfg, accounts, deal_orders(deals))
    step("notes", 3)
    activities, labels = make_activities(cfg, accounts, contacts, deals, hidden_dm)
    step("service", 5)
    tables = {
        "users": users,
        "accounts": accounts,
        "contacts": contacts,
        "products": make_products(),
        "stages": make_stages(),
        "opportunities": deals,
        "stage_history": stage_history(cfg, deals),
        "close_date_changes": close_date_changes(cfg, deals),
        "orders": orders,
        "activities": activities,
        "note_labels": labels,
        "tickets": make_tickets(cfg, accounts),
        "surveys": make_surveys(cfg, accounts, contacts),
    }
    step("marketing", 7)
    tables["leads"] = make_leads(cfg, accounts)
    tables["marketing_spend"] = make_spend(cfg)
    tables["demo_truth"] = make_truth(cfg, accounts, contacts, deals)
    step("done", steps)
    return tables


def build_demo(
    engine: Engine,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Generate the demo world and write it into the (empty, migrated) store at ``engine``.

    Args:
        engine: The store; its tables must exist and be empty.
        scale: 1 is ~200 accounts, ~400 deals, ~3,000 activities; 500 is ~100k accounts.
        seed: Seed of every random stream.
        as_of: The world's "today" (default: the current UTC date).
        progress: Optional ``progress(step, done, total)`` callback.
    """
    cfg = DemoConfig(as_of=as_of or dt.datetime.now(dt.UTC).date(), scale=scale, seed=seed)
    tables = generate(cfg, progress)
    counts = write_tables(engine, tables, progress)
    return summarise(cfg, tables, counts)
