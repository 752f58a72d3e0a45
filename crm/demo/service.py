"""Service history: tickets with response/resolution times and CSAT, and NPS surveys.

Unhappy accounts look unhappy: churned customers open more complaints, wait longer for
answers and give lower CSAT and NPS than loyal ones.
"""

from __future__ import annotations

import numpy as np

from crm.demo.config import DAY, Columns, DemoConfig, ids, work_time

TICKETS_PER_YEAR = {"loyal_high_value": 2.5, "churned": 3.0, "growing_new": 1.5}
MOOD = {
    # (CSAT centre, NPS centre, hours to first response)
    "loyal_high_value": (4.5, 9.0, 3.0),
    "steady": (4.1, 8.0, 5.0),
    "growing_new": (4.3, 8.5, 4.0),
    "seasonal": (3.9, 7.0, 6.0),
    "one_off": (3.8, 6.5, 6.0),
    "churned": (2.6, 4.0, 20.0),
    "prospect": (4.0, 7.0, 6.0),
}
HOUR = np.timedelta64(3600, "s")


def _events(
    cfg: DemoConfig, rng: np.random.Generator, accounts: Columns, per_year: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Account index and timestamp of events at ``per_year`` over each customer's life."""
    lo = np.maximum(accounts["_first"], cfg.start)
    hi = np.minimum(accounts["_last"] + 90 * DAY, cfg.today)
    years = np.maximum((hi - lo) / DAY, 0) / 365
    customer = accounts["_behaviour"] != "prospect"
    account = np.repeat(np.arange(len(lo)), rng.poisson(per_year * years * customer))
    span = np.maximum((hi[account] - lo[account]) / DAY, 0)
    day = lo[account] + (rng.random(len(account)) * span).astype(np.int64) * DAY
    return account, work_time(rng, day)


def make_tickets(cfg: DemoConfig, accounts: Columns) -> Columns:
    """Tickets; those still unanswered/unresolved at as_of have no response/resolution time."""
    rng = cfg.rng("tickets")
    behaviour = accounts["_behaviour"]
    rate = np.array([TICKETS_PER_YEAR.get(b, 1.0) for b in behaviour])
    account, opened = _events(cfg, rng, accounts, rate)
    b = behaviour[account]
    churned = b == "churned"
    kind = np.array(["complaint", "question", "incident"], dtype=object)[
        np.where(
            churned,
            rng.choice(3, size=len(b), p=[0.5, 0.3, 0.2]),
            rng.choice(3, size=len(b), p=[0.2, 0.55, 0.25]),
        )
    ]
    response_h = np.array([MOOD[x][2] for x in b]) * rng.lognormal(0, 0.6, len(b))
    resolve_h = response_h + np.where(kind == "incident", 20, 40) * rng.lognormal(0, 0.8, len(b))
    first = opened + (response_h * 3600).astype("timedelta64[s]")
    resolved = opened + (resolve_h * 3600).astype("timedelta64[s]")
    answered, done = first < cfg.end, resolved < cfg.end
    old = resolved < cfg.end - 7 * DAY
    status = np.where(
        done, np.where(old, "closed", "resolved"), np.where(answered, "pending", "open")
    )
    csat = np.array([MOOD[x][0] for x in b]) - 0.8 * (kind == "complaint") - 0.4 * (resolve_h > 72)
    csat = np.clip(np.rint(csat + rng.normal(0, 0.7, len(b))), 1, 5)
    order = np.argsort(opened, kind="stable")
    nat = np.datetime64("NaT", "s")
    columns = {
        "account_id": accounts["id"][account],
        "kind": kind,
        "opened_at": opened,
        "first_response_at": np.where(answered, first, nat),
        "resolved_at": np.where(done, resolved, nat),
        "status": status.astype(object),
        "csat": np.where(done & (rng.random(len(b)) < 0.7), csat, np.nan),
    }
    return {"id": ids("TCK", len(order))} | {k: v[order] for k, v in columns.items()}


def make_surveys(cfg: DemoConfig, accounts: Columns, contacts: Columns) -> Columns:
    """NPS answers from customers' contacts, about one per account and year."""
    rng = cfg.rng("surveys")
    account, answered = _events(cfg, rng, accounts, np.full(len(accounts["id"]), 0.9))
    centre = np.array([MOOD[x][1] for x in accounts["_behaviour"][account]])
    nps = np.clip(np.rint(centre + rng.normal(0, 1.4, len(account))), 0, 10).astype(np.int64)
    starts = np.searchsorted(contacts["_account"], account)
    ends = np.searchsorted(contacts["_account"], account, side="right")
    pick = starts + (rng.random(len(account)) * (ends - starts)).astype(np.int64)
    order = np.argsort(answered, kind="stable")
    columns = {
        "account_id": accounts["id"][account],
        "contact_id": contacts["id"][pick],
        "answered_at": answered,
        "nps": nps,
    }
    return {"id": ids("NPS", len(order))} | {k: v[order] for k, v in columns.items()}
