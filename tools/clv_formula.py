"""Formula CLV as sales teams state it: average annual spend × expected lifetime × gross margin.

Definitions (all per customer, from :func:`tools.clv_data.customer_summary`):

- *average annual spend* = total spend ÷ tenure in years, where tenure runs from the
  first purchase to ``as_of`` and counts as at least one year (a customer who bought
  once last month has spent their first year's amount, not twelve times it);
- *gross margin* = 1 − cost ÷ spend over the customer's orders that carry a cost;
  the configured default margin when none of them does;
- *expected lifetime* (years, the same for every customer) is, in order of precedence:
  ``configured`` (the caller's ``lifetime_years``); ``estimated`` = 1 ÷ annual churn,
  with annual churn the share of the customers who bought in the year before last
  ([as_of − 2y, as_of − 1y)) and did not buy in the last year — the mean of the
  geometric lifetime implied by a constant yearly retention (Gupta & Lehmann 2003,
  "Customers as Assets", J. Interactive Marketing 17(1)), capped at
  :data:`MAX_LIFETIME_YEARS`; or ``default`` (:data:`DEFAULT_LIFETIME_YEARS`) when
  fewer than :data:`MIN_COHORT` customers bought in the year before last.

The formula is undiscounted, as sales teams use it; the probabilistic CLV discounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from tools.clv_data import DAYS_PER_UNIT, DAYS_PER_YEAR, TimeUnit
from tools.errors import InvalidArgument

LifetimeMethod = Literal["configured", "estimated", "default"]
DEFAULT_LIFETIME_YEARS = 3.0
MAX_LIFETIME_YEARS = 10.0
MIN_COHORT = 10


@dataclass(frozen=True)
class ExpectedLifetime:
    """How long a customer is expected to stay, and where the figure comes from."""

    years: float
    method: LifetimeMethod
    annual_churn: float | None
    cohort: int


def estimate_lifetime(summary: pd.DataFrame, as_of: dt.date, unit: TimeUnit) -> ExpectedLifetime:
    """Expected lifetime from the population's annual churn (see the module docstring)."""
    cohort = summary["bought_prev_year"].to_numpy(dtype=bool)
    size = int(cohort.sum())
    if size < MIN_COHORT:
        return ExpectedLifetime(DEFAULT_LIFETIME_YEARS, "default", None, size)
    days_since_last = (summary["T"] - summary["t_x"]).to_numpy() * DAYS_PER_UNIT[unit]
    churned = cohort & (days_since_last > 365)
    churn = float(churned.sum()) / size
    years = MAX_LIFETIME_YEARS if churn == 0 else min(1.0 / churn, MAX_LIFETIME_YEARS)
    return ExpectedLifetime(years, "estimated", churn, size)


def configured_lifetime(years: float) -> ExpectedLifetime:
    """A lifetime the caller states; must be positive."""
    if not years > 0:
        raise InvalidArgument(f"lifetime_years must be positive, got {years}")
    return ExpectedLifetime(float(years), "configured", None, 0)


def formula_clv(
    summary: pd.DataFrame, unit: TimeUnit, lifetime: ExpectedLifetime, default_margin: float
) -> pd.DataFrame:
    """Per customer: annual spend, gross margin and formula CLV (currency units)."""
    tenure_years = summary["T"].to_numpy() * DAYS_PER_UNIT[unit] / DAYS_PER_YEAR
    annual = summary["total"].to_numpy() / np.maximum(tenure_years, 1.0)
    costed = summary["costed_total"].to_numpy()
    own_margin = 1.0 - np.divide(
        summary["cost"].to_numpy(), costed, out=np.zeros_like(costed), where=costed > 0
    )
    margin = np.where(costed > 0, own_margin, default_margin)
    return pd.DataFrame(
        {
            "annual_spend": annual,
            "gross_margin": margin,
            "formula_clv": annual * lifetime.years * margin,
        },
        index=summary.index,
    )
