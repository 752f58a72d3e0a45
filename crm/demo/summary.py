"""What is in a generated world: counts, revenue, behaviours, pipeline, scenarios, examples."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from crm.demo.catalog import STAGES
from crm.demo.config import Columns, DemoConfig


@dataclass(frozen=True)
class StageLine:
    """Deals currently in one stage and their total amount (currency units)."""

    stage: str
    deals: int
    amount: float


@dataclass(frozen=True)
class DemoSummary:
    """A description of the generated world, for people who will ask questions about it."""

    as_of: dt.date
    seed: int
    scale: float
    rows: dict[str, int]
    revenue_by_year: dict[int, float]
    customers_by_behaviour: dict[str, int]
    pipeline: list[StageLine]
    scenarios: dict[str, int]
    note_facts: dict[str, int]
    examples: dict[str, str]


def _examples(tables: dict[str, Columns]) -> dict[str, str]:
    """A rep, a manager, an at-risk-looking account and open deals worth asking about."""
    users, accounts, deals = tables["users"], tables["accounts"], tables["opportunities"]
    out: dict[str, str] = {}
    for role in ("rep", "manager", "admin"):
        i = int(np.flatnonzero(users["role"] == role)[0])
        out[role] = f"{users['name'][i]} ({users['id'][i]}, Slack {users['slack_user_id'][i]})"
    orders = tables["orders"]
    churned = accounts["id"][accounts["_behaviour"] == "churned"]
    if len(churned):
        spent = np.zeros(len(churned))
        position = np.searchsorted(churned, orders["account_id"])
        hit = (position < len(churned)) & (
            churned[np.minimum(position, len(churned) - 1)] == orders["account_id"]
        )
        np.add.at(spent, position[hit], orders["amount_cents"][hit])
        best = int(np.argmax(spent))
        name = accounts["name"][accounts["id"] == churned[best]][0]
        out["at-risk account"] = f"{name} ({churned[best]}, churned)"
    for label, mask in (
        ("open deal", (deals["_outcome"] == "open") & (deals["_account"] >= 0)),
        ("stalled deal", deals["_stalled"]),
        ("slipped deal", deals["_slipped"]),
    ):
        rows = np.flatnonzero(mask)
        if len(rows):
            i = int(rows[np.argmax(deals["amount_cents"][rows])])
            out[label] = f"{deals['name'][i]} ({deals['id'][i]}, owner {deals['owner_id'][i]})"
    return out


def summarise(cfg: DemoConfig, tables: dict[str, Columns], rows: dict[str, int]) -> DemoSummary:
    """Summarise the generated tables (and the rows written)."""
    orders, deals, labels = tables["orders"], tables["opportunities"], tables["note_labels"]
    years = orders["order_date"].astype("datetime64[Y]").astype(int) + 1970
    revenue = {
        int(y): float(orders["amount_cents"][years == y].sum()) / 100 for y in np.unique(years)
    }
    behaviours, counts = np.unique(tables["accounts"]["_behaviour"].astype(str), return_counts=True)
    pipeline = [
        StageLine(
            name,
            int((deals["stage"] == name).sum()),
            float(deals["amount_cents"][deals["stage"] == name].sum()) / 100,
        )
        for name, *_ in STAGES
    ]
    scenarios = {
        "stalled": int(deals["_stalled"].sum()),
        "slipped": int(deals["_slipped"].sum()),
        "missing_decision_maker": int(deals["_missing_dm"].sum()),
        "without account": int((deals["_account"] < 0).sum()),
    }
    kinds, kind_counts = np.unique(labels["kind"].astype(str), return_counts=True)
    return DemoSummary(
        as_of=cfg.as_of,
        seed=cfg.seed,
        scale=cfg.scale,
        rows=rows,
        revenue_by_year=revenue,
        customers_by_behaviour={str(b): int(c) for b, c in zip(behaviours, counts, strict=True)},
        pipeline=pipeline,
        scenarios=scenarios,
        note_facts={str(k): int(c) for k, c in zip(kinds, kind_counts, strict=True)},
        examples=_examples(tables),
    )
