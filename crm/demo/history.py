"""What follows from the deals: stage histories, close-date pushes and the orders of won deals."""

from __future__ import annotations

import numpy as np

from crm.demo.catalog import OPEN_STAGES
from crm.demo.config import DAY, Columns, DemoConfig, work_time


def stage_history(cfg: DemoConfig, deals: Columns) -> Columns:
    """One row per stage each deal entered (open stages reached, then Closed Won/Lost)."""
    rng = cfg.rng("stage_history")
    reached = np.arange(4)[None, :] <= deals["_last"][:, None]
    deal, stage = np.nonzero(reached)
    entered = work_time(rng, deals["_entered"][deal, stage])
    first = stage == 0
    entered[first] = deals["created_at"][deal[first]]
    closed = np.flatnonzero(deals["_outcome"] != "open")
    close_stage = np.where(deals["_outcome"][closed] == "won", "Closed Won", "Closed Lost")
    rows = {
        "opportunity_id": np.concatenate([deals["id"][deal], deals["id"][closed]]),
        "stage": np.concatenate([OPEN_STAGES[stage], close_stage.astype(object)]),
        "entered_at": np.concatenate([entered, work_time(rng, deals["_end"][closed])]),
    }
    order = np.lexsort((rows["entered_at"], rows["opportunity_id"].astype(str)))
    return {k: v[order] for k, v in rows.items()}


def close_date_changes(cfg: DemoConfig, deals: Columns) -> Columns:
    """Pushes of the expected close date, chained from the original date to the current one.

    Each moves the date 2-6 weeks later and is recorded a few days before the date it
    replaced (never after as_of).
    """
    rng = cfg.rng("close_date_changes")
    out: dict[str, list[object]] = {
        k: [] for k in ("opportunity_id", "changed_at", "previous_close_date", "new_close_date")
    }
    for i in np.flatnonzero(deals["_pushes"] > 0):
        k = int(deals["_pushes"][i])
        steps = rng.integers(14, 45, k)
        after = np.concatenate([np.cumsum(steps[::-1])[::-1][1:], [0]])
        new = deals["close_date"][i] - after * DAY
        previous = new - steps * DAY
        created = deals["created_at"][i].astype("datetime64[D]")
        limit = min(deals["_end"][i], cfg.today)
        when = np.minimum(previous, limit) - rng.integers(0, 6, k) * DAY
        when = np.maximum(when, created + DAY)
        when = np.maximum.accumulate(when) + np.arange(k) * DAY
        stamps = work_time(rng, np.minimum(when, limit))
        stamps = np.maximum.accumulate(stamps) + np.arange(k).astype("timedelta64[m]")
        out["opportunity_id"] += [deals["id"][i]] * k
        out["changed_at"] += list(stamps)
        out["previous_close_date"] += list(previous)
        out["new_close_date"] += list(new)
    return {
        "opportunity_id": np.array(out["opportunity_id"], dtype=object),
        "changed_at": np.array(out["changed_at"], dtype="datetime64[s]"),
        "previous_close_date": np.array(out["previous_close_date"], dtype="datetime64[D]"),
        "new_close_date": np.array(out["new_close_date"], dtype="datetime64[D]"),
    }


def deal_orders(deals: Columns) -> Columns:
    """The order each won deal turned into, on its close date."""
    won = np.flatnonzero(deals["_outcome"] == "won")
    return {
        "account_id": deals["account_id"][won],
        "order_date": deals["close_date"][won].astype("datetime64[D]"),
        "amount_cents": deals["amount_cents"][won],
        "cost_cents": deals["_cost"][won],
        "product_id": deals["product_id"][won],
        "opportunity_id": deals["id"][won],
    }
