"""Lead fit: how much a lead's profile looks like the company's won customers.

**Fit (0-100).** The ideal customer profile: the distribution of industry, size band
(employees 1-49, 50-249, 250-999, 1000-4999, 5000+, unknown) and country over *won
customers* (accounts with an order by as_of) against all accounts. Per feature, with
Laplace smoothing (α = 1, K = distinct values + 1 for unseen ones),
``LR_f(v) = [(n_won(v) + α) / (N_won + αK)] / [(n_all(v) + α) / (N_all + αK)]``; the
features combine naive-Bayes style, ``L = Π_f LR_f`` (the posterior odds ratio of being
a customer, Hand & Yu 2001, "Idiot's Bayes — not so stupid after all?", Int. Stat. Rev.
69(3), eq. 2), and ``fit = 100 · L / (1 + L)``: 50 is an average account's profile. A
value no account has (e.g. a new country) is no evidence: its ratio is 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import exists
from sqlalchemy import select as sa_select
from sqlmodel import col

from crm.models import Account, Order
from tools.context import ToolContext
from tools.pipeline_data import fetch_frame

SMOOTHING = 1.0
SIZE_EDGES = [0, 50, 250, 1000, 5000, np.inf]
SIZE_LABELS = ["1-49", "50-249", "250-999", "1000-4999", "5000+"]
FIT_FEATURES = ("industry", "size_band", "country")


def size_band(employees: pd.Series) -> pd.Series:
    """Employee counts as size bands (``unknown`` when empty)."""
    bands = pd.cut(employees.astype(float), SIZE_EDGES, right=False, labels=SIZE_LABELS)
    return bands.astype(object).where(bands.notna(), "unknown")


def _profile_frame(ctx: ToolContext) -> pd.DataFrame:
    """Every account by as_of (company-wide) with its fit features and a ``won`` flag."""
    bought = exists().where(
        col(Order.account_id) == col(Account.id), col(Order.order_date) <= ctx.as_of
    )
    stmt: Any = sa_select(
        col(Account.industry), col(Account.employees), col(Account.country), bought.label("won")
    ).where(col(Account.created_at) < ctx.as_of_end)
    frame = fetch_frame(ctx, stmt)
    frame["size_band"] = size_band(frame["employees"])
    frame["won"] = frame["won"].astype(bool)
    return frame


def fit_ratios(ctx: ToolContext) -> dict[str, pd.Series]:
    """Per fit feature: the smoothed likelihood ratio of each value seen among accounts."""
    profile = _profile_frame(ctx)
    won = profile[profile["won"]]
    ratios: dict[str, pd.Series] = {}
    for feature in FIT_FEATURES:
        all_counts = profile[feature].fillna("unknown").value_counts()
        won_counts = won[feature].fillna("unknown").value_counts().reindex(all_counts.index)
        k = SMOOTHING * (len(all_counts) + 1)
        p_all = (all_counts + SMOOTHING) / (len(profile) + k)
        p_won = (won_counts.fillna(0) + SMOOTHING) / (len(won) + k)
        ratios[feature] = p_won / p_all if len(won) else p_all * 0 + 1
    return ratios


def fit_scores(leads: pd.DataFrame, ratios: dict[str, pd.Series]) -> pd.DataFrame:
    """``fit`` (0-100) per lead and each feature's likelihood ratio (``lr_<feature>``).

    A value no account has is no evidence either way (ratio 1).
    """
    out = pd.DataFrame(index=leads.index)
    for feature, table in ratios.items():
        values = leads[feature].fillna("unknown")
        out[f"lr_{feature}"] = values.map(table).astype(float).fillna(1.0)
    odds = np.exp(np.log(out).sum(axis=1))
    out["fit"] = (100 * odds / (1 + odds)).round(1)
    return out
