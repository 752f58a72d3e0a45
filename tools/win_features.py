"""Features of a deal at a point in time ``t``, for the win model (no look-ahead).

Each row of a *points* frame is a deal seen at time ``t`` (float epoch days): an open
deal at ``as_of_end``, or a closed deal at one moment of its open life (the training
snapshot, :func:`tools.win_model.training_set`; everything after it is unseen). Every
feature only uses records dated before the row's ``t``:

- ``stage`` (at t), ``days_in_stage``, ``age_days`` (calendar days, as the stage
  tools count them), ``log_amount``;
- ``days_since_activity`` (since creation when none), ``activities`` (count),
  ``contacts_engaged`` (distinct ``activities.contact_id``);
- ``decision_maker_known`` / ``champion_known``: a ``contact_role_facts`` row for the
  deal (or its account) with that role (0 when the knowledge layer wrote none);
- ``pushes``: close-date changes to a later date;
- ``amount_vs_usual``: log(amount ÷ the mean amount of the account's deals created
  before this one), 0 when there is none;
- ``owner_win_rate``: the owner's deals closed before t, won ÷ closed, smoothed toward
  the store's rate with 5 pseudo-deals (the deal itself closes after t, so it is out);
- ``product``, ``industry`` (categories).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from crm.models import Account, Activity, CloseDateChange, ContactRoleFact, Opportunity
from tools.context import ToolContext
from tools.pipeline_data import epoch_days, fetch_frame

NUMERIC = [
    "days_in_stage", "age_days", "log_amount", "days_since_activity", "activities",
    "contacts_engaged", "decision_maker_known", "champion_known", "pushes",
    "amount_vs_usual", "owner_win_rate",
]  # fmt: skip
CATEGORICAL = ["stage", "product", "industry"]
OWNER_PRIOR = 5.0


def build_features(
    ctx: ToolContext,
    points: pd.DataFrame,
    conditions: list[ColumnElement[bool]],
    closed: pd.DataFrame,
) -> pd.DataFrame:
    """Feature table (NUMERIC + CATEGORICAL columns) aligned with ``points``.

    ``points`` holds id, t, stage, entered, created, amount_cents, owner_id, account_id,
    product_id; ``conditions`` select the same deals in SQL; ``closed`` is the
    :func:`owner_track` of every closed deal of the store.
    """
    p = points.reset_index(drop=True)
    t = p["t"].to_numpy(dtype=float)
    acts = _before(_activities(ctx, conditions), p)
    grouped = acts.groupby("row")
    last = grouped["at"].max().reindex(p.index)
    roles = _before(_roles(ctx, conditions), p)
    pushes = _before(_pushes(ctx, conditions), p).groupby("row").size()
    frame = pd.DataFrame(
        {
            "days_in_stage": _days(t, p["entered"]),
            "age_days": _days(t, p["created"]),
            "log_amount": np.log1p(p["amount_cents"].to_numpy(dtype=float) / 100),
            "days_since_activity": _days(t, last.fillna(p["created"])),
            "activities": grouped.size().reindex(p.index, fill_value=0).to_numpy(),
            "contacts_engaged": grouped["contact_id"].nunique().reindex(p.index, fill_value=0),
            "decision_maker_known": _has_role(roles, "decision_maker", p.index),
            "champion_known": _has_role(roles, "champion", p.index),
            "pushes": pushes.reindex(p.index, fill_value=0).to_numpy(),
            "amount_vs_usual": _amount_vs_usual(ctx, p, conditions),
            "owner_win_rate": _owner_rates(p, closed),
            "stage": p["stage"].astype(str),
            "product": p["product_id"].fillna("none").astype(str),
            "industry": _industries(ctx, p, conditions),
        }
    )
    frame[NUMERIC] = frame[NUMERIC].astype(float)
    return frame


def _days(t: np.ndarray, since: pd.Series) -> np.ndarray:
    """Whole calendar days from ``since`` to ``t`` (both epoch days)."""
    days: np.ndarray = np.floor(t) - np.floor(since.to_numpy(dtype=float))
    return days


def _before(side: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Rows of a side table (with ``opportunity_id`` and ``at``) dated before their point's t.

    Each deal is one point (ids are unique), so a row finds its point by index look-up;
    the point's position is added as ``row``.
    """
    row = pd.Index(points["id"]).get_indexer(side["opportunity_id"])
    t = np.append(points["t"].to_numpy(dtype=float), -np.inf)  # row -1 (no point): never
    keep = side["at"].to_numpy(dtype=float) < t[row]
    kept: pd.DataFrame = side[keep].assign(row=row[keep])
    return kept


def _totals_before(
    side_key: np.ndarray, side_time: np.ndarray, side_values: np.ndarray,
    point_key: np.ndarray, point_time: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per point: count and sum of ``side_values`` of the earlier side rows with its key.

    "Earlier" is strictly before the point's time; a missing key matches nothing. One
    sort of side rows and points together by (key, time, points first on ties), then
    running totals; the values are integers (cents, 0/1), so the float sums are exact
    in any order.
    """
    codes, _ = pd.factorize(np.concatenate([side_key, point_key]))
    n_side = len(side_key)
    is_side = np.arange(len(codes)) < n_side
    time = np.concatenate([side_time, point_time]).astype(float)
    values = np.concatenate([side_values.astype(float), np.zeros(len(point_key))])
    order = np.lexsort((is_side, time, codes))
    counts, sums = np.cumsum(is_side[order]), np.cumsum(values[order])
    sorted_codes = codes[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_codes[1:] != sorted_codes[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    base_count = np.where(start > 0, counts[start - 1], 0)
    base_sum = np.where(start > 0, sums[start - 1], 0.0)
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    mine, matched = position[n_side:], codes[n_side:] >= 0
    count = np.where(matched, counts[mine] - base_count[mine], 0)
    total = np.where(matched, sums[mine] - base_sum[mine], 0.0)
    return count, total


def _per_deal(
    ctx: ToolContext, deal_col: Any, columns: list[Any],
    conditions: list[ColumnElement[bool]], *where: ColumnElement[bool],
) -> pd.DataFrame:  # fmt: skip
    """``(opportunity_id, *columns)`` of the rows whose ``deal_col`` is a selected deal.

    ``deal_col IN (SELECT id ...)`` lets the database walk the deal index instead of
    scanning the whole side table.
    """
    deals = sa_select(col(Opportunity.id)).where(*conditions)
    stmt: Any = sa_select(deal_col.label("opportunity_id"), *columns).where(
        deal_col.in_(deals), *where
    )
    return fetch_frame(ctx, stmt)


def _activities(ctx: ToolContext, conditions: list[ColumnElement[bool]]) -> pd.DataFrame:
    at = epoch_days(Activity.occurred_at).label("at")
    return _per_deal(
        ctx,
        col(Activity.opportunity_id),
        [col(Activity.contact_id).label("contact_id"), at],
        conditions,
        col(Activity.occurred_at) < ctx.as_of_end,
    )


def _pushes(ctx: ToolContext, conditions: list[ColumnElement[bool]]) -> pd.DataFrame:
    return _per_deal(
        ctx,
        col(CloseDateChange.opportunity_id),
        [epoch_days(CloseDateChange.changed_at).label("at")],
        conditions,
        col(CloseDateChange.changed_at) < ctx.as_of_end,
        col(CloseDateChange.new_close_date) > col(CloseDateChange.previous_close_date),
    )


def _roles(ctx: ToolContext, conditions: list[ColumnElement[bool]]) -> pd.DataFrame:
    """Decision-maker / champion facts about each deal or, without a deal, its account."""
    fact = ContactRoleFact
    columns = [col(fact.role).label("role"), epoch_days(fact.occurred_at).label("at")]
    where = (
        col(fact.occurred_at) < ctx.as_of_end,
        col(fact.role).in_(["decision_maker", "champion"]),
    )
    by_deal = _per_deal(ctx, col(fact.opportunity_id), columns, conditions, *where)
    stmt: Any = (
        sa_select(col(Opportunity.id).label("opportunity_id"), *columns)
        .select_from(fact)
        .join(Opportunity, col(Opportunity.account_id) == fact.account_id)
        .where(col(fact.opportunity_id).is_(None), *conditions, *where)
    )
    return pd.concat([by_deal, fetch_frame(ctx, stmt)], ignore_index=True)


def _has_role(roles: pd.DataFrame, role: str, index: pd.Index) -> np.ndarray:
    rows = roles.loc[roles["role"] == role, "row"].unique()
    return np.isin(index.to_numpy(), rows).astype(float)


def _amount_vs_usual(
    ctx: ToolContext, points: pd.DataFrame, conditions: list[ColumnElement[bool]]
) -> np.ndarray:
    """log(amount / mean amount of the account's deals created earlier); 0 without any."""
    accounts = sa_select(col(Opportunity.account_id)).where(*conditions)
    stmt: Any = sa_select(
        col(Opportunity.account_id).label("account_id"),
        epoch_days(Opportunity.created_at).label("at"),
        col(Opportunity.amount_cents).label("cents"),
    ).where(col(Opportunity.account_id).in_(accounts), col(Opportunity.created_at) < ctx.as_of_end)
    deals = fetch_frame(ctx, stmt)
    count, cents = _totals_before(
        deals["account_id"].to_numpy(dtype=object), deals["at"].to_numpy(dtype=float),
        deals["cents"].to_numpy(dtype=float), points["account_id"].to_numpy(dtype=object),
        points["created"].to_numpy(dtype=float),
    )  # fmt: skip
    usual = np.divide(cents, count, out=np.full(len(points), np.nan), where=count > 0)
    ratio = points["amount_cents"].to_numpy(dtype=float) / usual
    logs: np.ndarray = np.nan_to_num(np.log(np.clip(ratio, 1e-3, 1e3)), nan=0.0)
    return logs


def owner_track(closed: pd.DataFrame) -> pd.DataFrame:
    """Closed deals (owner_id, closed days, won) and the store's win rate as ``base``.

    Build it once per training set; :func:`build_features` takes it as ``closed``.
    """
    track = closed[["owner_id", "closed", "won"]].astype({"owner_id": object, "closed": float})
    base = float(track["won"].mean()) if len(track) else 0.5
    # categorical owners: picking some owners' rows compares integer codes, not strings
    return track.assign(base=base).astype({"owner_id": "category"}).reset_index(drop=True)


def _owner_rates(points: pd.DataFrame, track: pd.DataFrame) -> np.ndarray:
    """Owner's smoothed win rate over deals closed strictly before each point's t."""
    base = float(track["base"].iloc[0]) if len(track) else 0.5
    track = track[track["owner_id"].isin(points["owner_id"].unique())]
    n, wins = _totals_before(
        track["owner_id"].to_numpy(dtype=object), track["closed"].to_numpy(dtype=float),
        track["won"].to_numpy(dtype=float), points["owner_id"].to_numpy(dtype=object),
        points["t"].to_numpy(dtype=float),
    )  # fmt: skip
    rate: np.ndarray = (wins + OWNER_PRIOR * base) / (n + OWNER_PRIOR)
    return rate


def _industries(
    ctx: ToolContext, points: pd.DataFrame, conditions: list[ColumnElement[bool]]
) -> pd.Series:
    stmt: Any = (
        sa_select(col(Opportunity.id).label("id"), col(Account.industry).label("industry"))
        .join(Account, col(Account.id) == Opportunity.account_id)
        .where(*conditions)
    )
    frame = fetch_frame(ctx, stmt)
    industry = pd.Series(frame["industry"].to_numpy(), index=frame["id"].to_numpy())
    return points["id"].map(industry).astype(object).fillna("unknown").astype(str)
