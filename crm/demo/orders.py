"""Orders: three years of purchases, generated per behaviour on a month grid (vectorised)."""

from __future__ import annotations

import numpy as np

from crm.demo.catalog import PRODUCT_IDS, price_lines
from crm.demo.config import DAY, Columns, DemoConfig, ids

MONTHLY_RATE: dict[str, float] = {
    # expected orders per active month
    "loyal_high_value": 2.2,
    "steady": 0.45,
    "growing_new": 0.5,
    "churned": 0.7,
    "seasonal": 0.0,
    "one_off": 0.0,
    "prospect": 0.0,
}
ORDER_VALUE_EUR: dict[str, float] = {
    # median order value before the size factor
    "loyal_high_value": 9_000,
    "steady": 3_500,
    "growing_new": 2_000,
    "churned": 3_000,
    "seasonal": 6_000,
    "one_off": 14_000,
    "prospect": 0,
}
SEASON_RATE = 2.2
"""Expected orders in each of a seasonal buyer's two peak months."""


def _month_grid(cfg: DemoConfig) -> np.ndarray:
    """First day of each month overlapping the history."""
    first = cfg.start.astype("datetime64[M]")
    last = cfg.today.astype("datetime64[M]")
    return np.arange(first, last + 1).astype("datetime64[D]")


def _rates(cfg: DemoConfig, accounts: Columns, months: np.ndarray) -> np.ndarray:
    """Expected orders per account and month (accounts x months)."""
    behaviour = accounts["_behaviour"]
    base = np.array([MONTHLY_RATE[b] for b in behaviour])[:, None]
    rate = np.broadcast_to(base, (len(behaviour), len(months))).copy()
    growing = behaviour == "growing_new"
    span = (accounts["_last"] - accounts["_first"]) / DAY
    progress = (months[None, :] - accounts["_first"][:, None]) / DAY / np.maximum(span, 1)[:, None]
    rate[growing] *= 1 + 5 * np.clip(progress[growing], 0, 1)
    month_of_year = months.astype("datetime64[M]").astype(int) % 12 + 1
    peak = accounts["_peak_month"][:, None]
    in_season = (month_of_year[None, :] == peak) | (month_of_year[None, :] == peak % 12 + 1)
    seasonal = behaviour == "seasonal"
    rate[seasonal] = np.where(in_season[seasonal], SEASON_RATE, 0.02)
    return rate


def _value_targets(
    rng: np.random.Generator, accounts: Columns, account: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """Target order value in cents: behaviour median x company size x growth x noise."""
    behaviour = accounts["_behaviour"][account]
    median = np.array([ORDER_VALUE_EUR[b] for b in behaviour])
    size = np.exp((accounts["_size"][account] - np.log(220)) * 0.25)
    first, last = accounts["_first"][account], accounts["_last"][account]
    progress = np.clip((day - first) / DAY / np.maximum((last - first) / DAY, 1), 0, 1)
    growth = np.where(behaviour == "growing_new", 1 + 2.5 * progress, 1.0)
    result: np.ndarray = median * size * growth * rng.lognormal(0, 0.45, len(account)) * 100
    return result


def behaviour_orders(cfg: DemoConfig, accounts: Columns) -> Columns:
    """Orders implied by each account's behaviour (without deal-linked orders)."""
    rng = cfg.rng("orders")
    months = _month_grid(cfg)
    counts = rng.poisson(_rates(cfg, accounts, months))
    one_off = np.flatnonzero(accounts["_behaviour"] == "one_off")
    counts[one_off] = 0
    account, month = np.nonzero(counts)
    reps = counts[account, month]
    account, month = np.repeat(account, reps), np.repeat(month, reps)
    day = months[month] + rng.integers(0, 28, len(month)) * DAY
    account = np.concatenate([account, one_off])
    day = np.concatenate([day, accounts["_first"][one_off]])
    keep = (
        (day >= accounts["_first"][account])
        & (day <= accounts["_last"][account])
        & (day >= cfg.start)
        & (day <= cfg.today)
    )
    account, day = account[keep], day[keep]
    product, amount, cost = price_lines(rng, _value_targets(rng, accounts, account, day))
    return {
        "account_id": accounts["id"][account],
        "order_date": day,
        "amount_cents": amount,
        "cost_cents": cost,
        "product_id": PRODUCT_IDS[product],
        "opportunity_id": np.full(len(account), None, dtype=object),
    }


def make_orders(cfg: DemoConfig, accounts: Columns, deal_orders: Columns) -> Columns:
    """All orders (behaviour + won deals), sorted by date, with ids ORD-0000001..."""
    base = behaviour_orders(cfg, accounts)
    merged = {k: np.concatenate([base[k], deal_orders[k]]) for k in base}
    order = np.lexsort((merged["account_id"].astype(str), merged["order_date"]))
    out = {k: v[order] for k, v in merged.items()}
    out["id"] = ids("ORD", len(order))
    return out
