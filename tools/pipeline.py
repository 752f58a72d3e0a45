"""Stage analysis building blocks and the pipeline-by-stage tool.

Shared functions (deal health, deal review and next-best-action build on them):

- :func:`stage_norms`: how long WON deals spent in each stage (median, p75), learnt on
  the whole store like a model parameter (see :mod:`tools.pipeline_cache`).
- :func:`deal_timeline`: one deal's stage visits as of ``as_of``.
- :func:`open_deals_frame`: the open deals as of ``as_of`` with age, activity, pushes
  and the stalled / slipped flags and reasons.

History rules (stage as of ``as_of``, close date as of ``as_of``) are in
:mod:`tools.pipeline_data`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from crm.models import Opportunity
from tools.catalog import tool
from tools.context import ToolContext
from tools.pipeline_cache import cached, company
from tools.pipeline_data import (
    calendar_days,
    from_days,
    history_frame,
    last_activity_expr,
    opportunity_filter,
    pushes_expr,
    snapshot,
    stages_frame,
    to_days,
)
from tools.records import MAX_IDS, cents_to_money, get_opportunity

OUTCOMES = ("open", "won", "lost")

OPEN_COLUMNS = [
    "id", "name", "account_id", "owner_id", "stage", "amount", "created_at", "close_date",
    "days_in_stage", "age_days", "last_activity_at", "days_since_activity",
    "close_date_pushes", "is_stalled", "is_slipped", "stalled_reason", "slipped_reason",
]  # fmt: skip


class StageNorm(BaseModel):
    """Time that won deals spent in one stage."""

    stage: str = Field(description="Stage name.")
    median_days: float = Field(description="Median days won deals spent in the stage.")
    p75_days: float = Field(description="75th percentile of those days (the stall threshold).")
    n_won_deals: int = Field(description="Won deals that passed through the stage.")


class StageVisit(BaseModel):
    """One stay of a deal in a stage."""

    stage: str = Field(description="Stage name.")
    entered_at: dt.datetime = Field(description="When the deal entered the stage (UTC).")
    left_at: dt.datetime | None = Field(description="When it moved on; empty while current.")
    days: float | None = Field(
        description="Days spent (to as_of while current); empty for the final won/lost stage."
    )


def won_stage_days(ctx: ToolContext, conditions: list[ColumnElement[bool]]) -> pd.DataFrame:
    """Days each won deal spent in each non-final stage (repeat visits summed).

    Columns: deal, position, stage, days. A deal counts as won when its stage as of
    ``as_of`` has outcome ``won``.
    """
    visits = history_frame(ctx, conditions)
    visits = visits[(visits["final"] == "won") & visits["left"].notna()]
    days = (visits["left"] - visits["entered"]).rename("days")
    frame = pd.concat([visits[["deal", "position", "stage"]], days], axis=1)
    return frame.groupby(["deal", "position", "stage"])["days"].sum().reset_index()


def summarise_stage_days(days: pd.DataFrame) -> dict[str, StageNorm]:
    """Median, p75 and deal count per stage of a :func:`won_stage_days` frame, in order.

    Empty (no deal won yet) gives no norms rather than failing.
    """
    if days.empty:
        return {}
    grouped = days.astype({"days": float}).groupby(["position", "stage"])["days"]
    table = pd.DataFrame(
        {"median": grouped.median(), "p75": grouped.quantile(0.75), "n": grouped.size()}
    ).reset_index()
    return {
        str(row["stage"]): StageNorm(
            stage=str(row["stage"]),
            median_days=round(float(row["median"]), 1),
            p75_days=round(float(row["p75"]), 1),
            n_won_deals=int(row["n"]),
        )
        for row in table.to_dict("records")
    }


def stage_norms(ctx: ToolContext) -> dict[str, StageNorm]:
    """Time in each stage of the store's won deals (cached per data fingerprint and as_of)."""
    fit = company(ctx)
    return cached(
        ctx,
        "stage_norms",
        lambda: summarise_stage_days(won_stage_days(fit, opportunity_filter(fit))),
    )


def deal_timeline(ctx: ToolContext, opportunity_id: str) -> list[StageVisit]:
    """The stage visits of one deal as of ``as_of`` (NotFound outside the caller's scope)."""
    opp = get_opportunity(ctx, opportunity_id)
    # the conditions of the deal's open_deals_frame row: a review reads the deal once
    visits = history_frame(ctx, _open_query(ctx, None, None, opp.id)[0])
    if visits.empty:
        visits = pd.DataFrame(
            {"stage": [opp.stage], "entered": [to_days(opp.created_at)], "left": [np.nan]}
        )
    outcome = stages_frame(ctx)["outcome"]
    today = to_days(ctx.as_of)
    result = []
    columns = (visits[name].tolist() for name in ("stage", "entered", "left"))
    for stage, entered, raw_left in zip(*columns, strict=True):
        left = None if pd.isna(raw_left) else float(raw_left)
        closed = outcome.get(stage) != "open"
        days = None if left is None and closed else round((left or today) - entered, 1)
        if left is None and days is not None:
            days = float(today - math.floor(entered))  # calendar days, as days_in_stage
        result.append(
            StageVisit(
                stage=stage,
                entered_at=from_days(entered),
                left_at=None if left is None else from_days(left),
                days=days,
            )
        )
    return result


def open_deals_frame(
    ctx: ToolContext,
    *,
    owner_id: str | None = None,
    team: str | None = None,
    opportunity_id: str | None = None,
    inactive_days: int = 30,
) -> pd.DataFrame:
    """Open deals as of ``as_of`` in the caller's scope, one row each (columns OPEN_COLUMNS).

    A deal is stalled when its days in the current stage exceed the p75 of won deals
    for that stage (:func:`stage_norms`) or it had no activity for more than
    ``inactive_days`` (counted from creation when it never had one); slipped when its
    close date (as of ``as_of``) is before ``as_of`` or it was pushed more than once.
    ``opportunity_id`` selects one deal (its row does not depend on the other deals, and
    one deal costs a few index look-ups where an owner's whole book costs tens of ms).
    """
    if opportunity_id is None:
        deals = snapshot(ctx, ("open",), *_open_query(ctx, owner_id, team, None))
    else:  # the same reads as the deal's deal_snapshot (a review needs both)
        deals = snapshot(ctx, OUTCOMES, *_open_query(ctx, owner_id, team, opportunity_id))
        deals = deals[deals["outcome"] == "open"]
    last = deals["last_activity"].astype(float)
    frame = pd.DataFrame(
        {
            "id": deals["id"],
            "name": deals["name"],
            "account_id": deals["account_id"],
            "owner_id": deals["owner_id"],
            "stage": deals["stage"],
            "amount": deals["amount_cents"].astype(float) / 100,
            "created_at": pd.to_datetime(deals["created"] * 86400, unit="s", utc=True),
            "close_date": deals["close_date"],
            "days_in_stage": calendar_days(ctx.as_of, deals["entered"]),
            "age_days": calendar_days(ctx.as_of, deals["created"]),
            "last_activity_at": pd.to_datetime(last * 86400, unit="s", utc=True),
            "days_since_activity": calendar_days(ctx.as_of, last.fillna(deals["created"])),
            "close_date_pushes": deals["pushes"].fillna(0).astype(int),
        }
    )
    p75 = pd.Series({name: norm.p75_days for name, norm in stage_norms(ctx).items()}, dtype=float)
    return _flag(frame, p75.reindex(frame["stage"]).to_numpy(), inactive_days, ctx.as_of)


def _open_query(
    ctx: ToolContext, owner_id: str | None, team: str | None, opportunity_id: str | None
) -> tuple[list[ColumnElement[bool]], tuple[Any, ...]]:
    """Conditions and extra columns of the :func:`open_deals_frame` snapshot."""
    conditions = opportunity_filter(ctx, owner_id, team)
    if opportunity_id is not None:
        conditions.append(col(Opportunity.id) == opportunity_id)
    return conditions, (last_activity_expr(ctx), pushes_expr(ctx))


def deal_snapshot(ctx: ToolContext, opportunity_id: str) -> pd.DataFrame:
    """The :func:`tools.pipeline_data.snapshot` row of one deal the caller may see, any outcome.

    The same cached read as the deal's :func:`open_deals_frame` row (plus last_activity
    and pushes), so a review that needs both reads the deal once.
    """
    return snapshot(ctx, OUTCOMES, *_open_query(ctx, None, None, opportunity_id))


def _flag(frame: pd.DataFrame, p75: np.ndarray, inactive_days: int, as_of: dt.date) -> pd.DataFrame:
    over_norm = frame["days_in_stage"].to_numpy() > np.nan_to_num(p75, nan=np.inf)
    quiet = frame["days_since_activity"].to_numpy() > inactive_days
    norm_text = [
        f"{days} days in {stage} (won deals: p75 {p:g} days)" if flag else ""
        for days, stage, p, flag in zip(
            frame["days_in_stage"], frame["stage"], p75, over_norm, strict=True
        )
    ]
    quiet_text = [f"no activity for {d} days" if q else "" for d, q in zip(
        frame["days_since_activity"], quiet, strict=True)]  # fmt: skip
    close = pd.to_datetime(frame["close_date"]).dt.date
    passed = (close < as_of).fillna(False).to_numpy(dtype=bool)
    pushed = frame["close_date_pushes"].to_numpy() > 1
    passed_text = [
        f"close date {c} passed {(as_of - c).days} days ago" if p else ""
        for c, p in zip(close, passed, strict=True)
    ]
    pushed_text = [f"close date pushed {n} times" if p else "" for n, p in zip(
        frame["close_date_pushes"], pushed, strict=True)]  # fmt: skip
    return frame.assign(
        is_stalled=over_norm | quiet,
        is_slipped=passed | pushed,
        stalled_reason=_join(norm_text, quiet_text),
        slipped_reason=_join(passed_text, pushed_text),
    )[OPEN_COLUMNS]


def _join(first: list[str], second: list[str]) -> list[str]:
    return ["; ".join(part for part in pair if part) for pair in zip(first, second, strict=True)]


class StageRow(BaseModel):
    """Open pipeline in one stage."""

    stage: str = Field(description="Stage name (pipeline order).")
    probability: float = Field(description="Configured win probability of the stage (0-1).")
    count: int = Field(description="Open deals in the stage.")
    amount: float = Field(description="Total amount of those deals.")
    weighted_amount: float = Field(description="Amount × configured stage probability.")
    average_age_days: float | None = Field(description="Mean days since the deals were created.")
    opportunity_ids: list[str] = Field(description="Largest deals first, at most 50.")


class PipelineByStage(BaseModel):
    """The open pipeline as of as_of, stage by stage."""

    as_of: dt.date = Field(description="Analysis date.")
    currency: str = Field(description="Currency of the amounts.")
    stages: list[StageRow] = Field(description="One row per open stage, in pipeline order.")
    total_count: int = Field(description="Open deals in all stages.")
    total_amount: float = Field(description="Total open amount.")
    total_weighted_amount: float = Field(description="Total stage-weighted amount.")


@tool
def pipeline_by_stage(
    ctx: ToolContext, *, owner_id: str | None = None, team: str | None = None
) -> PipelineByStage:
    """Summarise the open pipeline stage by stage: count, amount, weighted amount, age.

    Use for "how does my pipeline look", "what is in negotiation", pipeline coverage.
    Weighted amount uses the configured stage probabilities.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        owner_id: Only this rep's deals (a user id); default all deals you can see.
        team: Only deals owned by members of this team.
    """
    deals = snapshot(ctx, ("open",), opportunity_filter(ctx, owner_id, team))
    stages = stages_frame(ctx)
    deals = deals.assign(age=calendar_days(ctx.as_of, deals["created"]))
    deals = deals.sort_values("amount_cents", ascending=False)
    rows = []
    for name, info in stages[stages["outcome"] == "open"].iterrows():
        part = deals[deals["stage"] == name]
        cents = int(part["amount_cents"].sum())
        rows.append(
            StageRow(
                stage=str(name),
                probability=float(info["probability"]),
                count=len(part),
                amount=cents_to_money(cents),
                weighted_amount=cents_to_money(cents * float(info["probability"])),
                average_age_days=round(float(part["age"].mean()), 1) if len(part) else None,
                opportunity_ids=part["id"].head(MAX_IDS).tolist(),
            )
        )
    return PipelineByStage(
        as_of=ctx.as_of,
        currency=ctx.currency,
        stages=rows,
        total_count=sum(r.count for r in rows),
        total_amount=round(sum(r.amount for r in rows), 2),
        total_weighted_amount=round(sum(r.weighted_amount for r in rows), 2),
    )
