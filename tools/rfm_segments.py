"""RFM segment tools: who is in a segment, how the book splits, who moved since a date.

All three read :func:`tools.rfm.rfm_table` (the caller's scored accounts), so counts,
shares and scores are relative to the caller's scope.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

import pandas as pd
from pydantic import BaseModel, Field

from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import InvalidArgument
from tools.rfm import RFMFigures, account_names, figures_of, rfm_table
from tools.rfm_rules import MEANINGS, SEGMENTS, TIERS, SegmentName, Tier

SortKey = Literal["monetary_total", "monetary_avg", "frequency", "recency_days"]
MAX_LIMIT = 100


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidArgument(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")


def _best_first(frame: pd.DataFrame, sort_by: SortKey) -> pd.DataFrame:
    """Sort best first (recency ascending, the rest descending), ties by account id."""
    ascending = sort_by == "recency_days"
    ordered = frame.rename_axis("account_id").reset_index()
    ordered = ordered.sort_values([sort_by, "account_id"], ascending=[ascending, True])
    return ordered.set_index("account_id")


class SegmentAccounts(BaseModel):
    """Accounts of one RFM segment or tier, best first."""

    segment: SegmentName | Tier = Field(description="The segment or tier asked for.")
    meaning: str = Field(description="What the segment or tier says about its accounts.")
    sort_by: SortKey = Field(description="Figure the accounts are sorted by (best first).")
    total_accounts: int = Field(description="Accounts in the segment (the list is limited).")
    population_size: int = Field(description="Accounts scored (the caller's scope).")
    currency: str = Field(description="Currency of the money figures.")
    accounts: list[RFMFigures] = Field(description="The accounts with their RFM figures.")


@tool
def rfm_segment_accounts(
    ctx: ToolContext,
    *,
    segment: SegmentName | Tier,
    limit: int = 10,
    sort_by: SortKey = "monetary_total",
    window_days: int | None = None,
) -> SegmentAccounts:
    """List the accounts in an RFM segment or sales tier, best first.

    Use for "who are my champions", "which customers are at risk", "show churn-risk
    accounts by revenue".

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        segment: One of the 11 RFM segments, or a tier (high_value, potential, churn_risk).
        limit: How many accounts to return (1-100).
        sort_by: monetary_total, monetary_avg, frequency (highest first) or recency_days
            (most recent first).
        window_days: Only count orders of the last N days before as_of; omit for all history.
    """
    _check_limit(limit)
    table = rfm_table(ctx, window_days=window_days)
    column = "tier" if segment in TIERS else "segment"
    members = _best_first(table[table[column] == segment], sort_by)
    top = members.head(limit)
    names = account_names(ctx, list(top.index))
    return SegmentAccounts(
        segment=segment,
        meaning=MEANINGS[segment],
        sort_by=sort_by,
        total_accounts=len(members),
        population_size=len(table),
        currency=ctx.currency,
        accounts=[figures_of(row, str(id_), names[str(id_)]) for id_, row in top.iterrows()],
    )


class SegmentShare(BaseModel):
    """One segment's (or tier's) share of the scored accounts and of revenue."""

    segment: SegmentName | Tier = Field(description="Segment or tier.")
    accounts: int = Field(description="Accounts in it.")
    share: float = Field(description="Share of the scored accounts (shares sum to 1).")
    revenue: float = Field(description="Revenue of its accounts in the window, currency units.")
    revenue_share: float | None = Field(
        description="Share of total revenue (sums to 1); null when total revenue is not positive."
    )


class SegmentDistribution(BaseModel):
    """How the caller's scored accounts and revenue split over RFM segments and tiers."""

    as_of: dt.date = Field(description="Analysis date.")
    window_days: int | None = Field(description="Window length in days; null = all history.")
    population_size: int = Field(description="Accounts scored (the caller's scope).")
    total_revenue: float = Field(description="Revenue of all scored accounts, currency units.")
    currency: str = Field(description="Currency of the money figures.")
    segments: list[SegmentShare] = Field(description="Every segment, in the canonical order.")
    tiers: list[SegmentShare] = Field(description="Every sales tier.")


def segment_shares(table: pd.DataFrame, column: str, names: tuple[str, ...]) -> list[SegmentShare]:
    """Count, revenue and shares of each value of ``column`` (``segment`` or ``tier``)."""
    grouped = table.groupby(column)["monetary_total"].agg(["size", "sum"]).reindex(names)
    grouped = grouped.fillna(0)
    n, total = len(table), float(table["monetary_total"].sum())
    return [
        SegmentShare(
            segment=name,
            accounts=int(row["size"]),
            share=float(row["size"] / n) if n else 0.0,
            revenue=round(float(row["sum"]), 2),
            revenue_share=float(row["sum"] / total) if total > 0 else None,
        )
        for name, row in grouped.iterrows()
    ]


@tool
def rfm_segment_distribution(
    ctx: ToolContext, *, window_days: int | None = None
) -> SegmentDistribution:
    """Break the caller's customers down by RFM segment and tier: counts, revenue and shares.

    Use for "how healthy is my customer base", "what share of revenue comes from champions".

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        window_days: Only count orders of the last N days before as_of; omit for all history.
    """
    table = rfm_table(ctx, window_days=window_days)
    return SegmentDistribution(
        as_of=ctx.as_of,
        window_days=window_days,
        population_size=len(table),
        total_revenue=round(float(table["monetary_total"].sum()), 2),
        currency=ctx.currency,
        segments=segment_shares(table, "segment", SEGMENTS),
        tiers=segment_shares(table, "tier", TIERS),
    )


class SegmentMove(BaseModel):
    """One account whose segment changed."""

    account_id: str = Field(description="Account id.")
    account_name: str = Field(description="Account name.")
    from_segment: SegmentName = Field(description="Segment at the earlier date.")
    to_segment: SegmentName = Field(description="Segment at as_of.")
    from_tier: Tier = Field(description="Tier at the earlier date.")
    to_tier: Tier = Field(description="Tier at as_of.")
    revenue: float = Field(description="Revenue in the window at as_of, currency units.")
    recency_days: int = Field(description="Days from the last order to as_of.")


class Transition(BaseModel):
    """How many accounts went from one segment to another."""

    from_segment: SegmentName = Field(description="Segment at the earlier date.")
    to_segment: SegmentName = Field(description="Segment at as_of.")
    accounts: int = Field(description="Accounts that made this move.")


class SegmentMoves(BaseModel):
    """Accounts whose RFM segment at an earlier date differs from their segment now."""

    since: dt.date = Field(description="The earlier date compared with as_of.")
    as_of: dt.date = Field(description="Analysis date.")
    compared_accounts: int = Field(description="Accounts scored at both dates.")
    new_accounts: int = Field(description="Accounts scored now with no orders by `since`.")
    moved_total: int = Field(description="Accounts whose segment changed (the list is limited).")
    currency: str = Field(description="Currency of the money figures.")
    moves: list[SegmentMove] = Field(description="Accounts that moved, highest revenue first.")
    transitions: list[Transition] = Field(description="Counts per (from, to) pair, largest first.")


@tool
def rfm_segment_moves(
    ctx: ToolContext, *, since: dt.date, limit: int = 20, window_days: int | None = None
) -> SegmentMoves:
    """Find accounts that moved RFM segment since an earlier date (e.g. Champions to At Risk).

    Use for "which customers are slipping", "what changed in my book since last quarter".
    Both dates are scored the same way (each against the caller's accounts at that date).

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        since: The earlier date to compare with (before as_of), YYYY-MM-DD.
        limit: How many moved accounts to list (1-100), highest revenue first.
        window_days: Only count orders of the last N days before each date; omit for all history.
    """
    _check_limit(limit)
    if since >= ctx.as_of:
        raise InvalidArgument(f"since ({since}) must be before as_of ({ctx.as_of})")
    now = rfm_table(ctx, window_days=window_days)
    before = rfm_table(dataclasses.replace(ctx, as_of=since), window_days=window_days)
    both = now.merge(
        before[["segment", "tier"]], left_index=True, right_index=True, suffixes=("", "_before")
    )
    moved = _best_first(both[both["segment"] != both["segment_before"]], "monetary_total")
    top = moved.head(limit)
    names = account_names(ctx, list(top.index))
    pairs = moved.groupby(["segment_before", "segment"]).size().rename("n").reset_index()
    pairs = pairs.sort_values(["n", "segment_before", "segment"], ascending=[False, True, True])
    return SegmentMoves(
        since=since,
        as_of=ctx.as_of,
        compared_accounts=len(both),
        new_accounts=len(now.index.difference(before.index)),
        moved_total=len(moved),
        currency=ctx.currency,
        moves=[
            SegmentMove(
                account_id=str(id_),
                account_name=names[str(id_)],
                from_segment=row["segment_before"],
                to_segment=row["segment"],
                from_tier=row["tier_before"],
                to_tier=row["tier"],
                revenue=row["monetary_total"],
                recency_days=row["recency_days"],
            )
            for id_, row in top.iterrows()
        ],
        transitions=[
            Transition(from_segment=before, to_segment=after, accounts=int(count))
            for before, after, count in zip(
                pairs["segment_before"], pairs["segment"], pairs["n"], strict=True
            )
        ],
    )
