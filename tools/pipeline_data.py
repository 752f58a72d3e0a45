"""Pipeline facts as of ``as_of``, loaded as pandas frames by a few aggregated SQL queries.

The rule for history (it matters for backtests): nothing dated at or after
``ctx.as_of_end`` exists. A deal's stage *as of* ``as_of`` is its last
``stage_history`` entry before ``as_of_end`` (ties at the same instant go to the later
pipeline position); a deal without such an entry falls back to ``opportunities.stage``,
entered at ``created_at`` (at ``close_date`` when that stage is won or lost). Its close
date as of ``as_of`` is the ``previous_close_date`` of its first ``close_date_changes``
row after ``as_of`` (else ``opportunities.close_date``).

Timestamps come out of SQL as float days since 1970-01-01 UTC (:class:`epoch_days`), so
frames of hundreds of thousands of rows load without per-row datetime parsing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Float, and_, case, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col, select

from crm.models import Activity, CloseDateChange, Opportunity, Stage, StageHistory, User
from tools.context import ToolContext
from tools.errors import NotFound
from tools.pipeline_cache import cached, query_key

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class epoch_days(FunctionElement[float]):
    """SQL expression: a timestamp or date as float days since 1970-01-01 UTC."""

    type = Float()
    inherit_cache = True
    name = "epoch_days"


@compiles(epoch_days, "sqlite")
def _epoch_days_sqlite(element: epoch_days, compiler: Any, **kw: Any) -> str:
    return f"(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5)"


@compiles(epoch_days)
def _epoch_days_default(element: epoch_days, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {arg}) AS DOUBLE PRECISION) / 86400.0"


def to_days(moment: dt.datetime | dt.date) -> float:
    """A datetime (aware) or date as days since the epoch, like :class:`epoch_days`."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC)
    return (moment - EPOCH).total_seconds() / 86400.0


def from_days(days: float) -> dt.datetime:
    """Inverse of :func:`to_days` (aware UTC, rounded to the second)."""
    return EPOCH + dt.timedelta(seconds=round(days * 86400.0))


def calendar_days(as_of: dt.date, moments: pd.Series) -> pd.Series:
    """Whole calendar days from each moment (epoch days) to ``as_of``: same day = 0."""
    return pd.Series(to_days(as_of) - np.floor(moments.astype(float)), dtype=int)


def fetch_frame(ctx: ToolContext, stmt: Any) -> pd.DataFrame:
    """Run a Core ``SELECT`` in the caller's session; one column per selected label.

    Rows come straight from the driver cursor (no per-row result processing), so select
    plain numbers and strings; convert dates with :func:`as_dates`.
    """
    result = ctx.session.connection().execute(stmt)
    rows = result.cursor.fetchall() if result.cursor is not None else []
    return pd.DataFrame.from_records(rows, columns=list(result.keys()), coerce_float=True)


def as_dates(values: pd.Series) -> pd.Series:
    """Dates (or None) from raw driver values: ``date`` objects or ISO strings."""
    parsed = pd.to_datetime(values, errors="coerce")
    return parsed.dt.date.astype(object).where(parsed.notna(), None)


def people_frame(ctx: ToolContext, ids: list[str]) -> pd.DataFrame:
    """Name and team of the users ``ids``, indexed by user id."""
    stmt: Any = sa_select(col(User.id), col(User.name), col(User.team)).where(col(User.id).in_(ids))
    return fetch_frame(ctx, stmt).set_index("id")


def stages_frame(ctx: ToolContext) -> pd.DataFrame:
    """The pipeline definition indexed by stage name: position, probability, outcome."""
    rows = ctx.session.exec(
        select(Stage.name, Stage.position, Stage.probability, Stage.outcome).order_by(
            col(Stage.position)
        )
    ).all()
    return pd.DataFrame(rows, columns=["stage", "position", "probability", "outcome"]).set_index(
        "stage"
    )


def opportunity_filter(
    ctx: ToolContext, owner_id: str | None = None, team: str | None = None
) -> list[ColumnElement[bool]]:
    """Conditions on ``opportunities``: the caller's scope, created by as_of, owner, team.

    An ``owner_id`` outside the caller's scope raises NotFound (never an empty answer
    that would confirm the user exists).
    """
    if owner_id is not None and not ctx.scope.allows(owner_id):
        raise NotFound("user", owner_id)
    conditions = [
        ctx.scope.owner_filter(col(Opportunity.owner_id)),
        col(Opportunity.created_at) < ctx.as_of_end,
    ]
    if owner_id is not None:
        conditions.append(col(Opportunity.owner_id) == owner_id)
    if team is not None:
        conditions.append(col(Opportunity.owner_id).in_(select(User.id).where(User.team == team)))
    return conditions


def _current_stage(ctx: ToolContext, conditions: list[ColumnElement[bool]]) -> Any:
    """Subquery (opportunity_id, stage, entered): each selected deal's last entry by as_of."""
    deals = sa_select(col(Opportunity.id)).where(*conditions).correlate(None)
    last = (
        select(
            col(StageHistory.opportunity_id).label("oid"),
            func.max(StageHistory.entered_at).label("last_at"),
        )
        .where(
            col(StageHistory.entered_at) < ctx.as_of_end,
            col(StageHistory.opportunity_id).in_(deals),
        )
        .group_by(col(StageHistory.opportunity_id))
        .subquery()
    )
    return (
        select(
            col(StageHistory.opportunity_id).label("opportunity_id"),
            col(StageHistory.stage).label("stage"),
            epoch_days(StageHistory.entered_at).label("entered"),
        )
        .join(
            last,
            and_(
                col(StageHistory.opportunity_id) == last.c.oid,
                col(StageHistory.entered_at) == last.c.last_at,
            ),
        )
        .subquery()
    )


def snapshot(
    ctx: ToolContext,
    outcomes: tuple[str, ...],
    conditions: list[ColumnElement[bool]],
    extra: tuple[Any, ...] = (),
) -> pd.DataFrame:
    """Deals whose stage as of ``as_of`` has one of ``outcomes``, one row per deal.

    Cached per data version and query (treat as read-only). Columns: id, name,
    account_id, owner_id, product_id, amount_cents, created (days),
    close_date (as of), stage, outcome, entered (days, when the current stage was
    entered), plus
    the labelled ``extra`` expressions (correlated subqueries on ``Opportunity``).
    """
    cur = _current_stage(ctx, conditions)
    stage = func.coalesce(cur.c.stage, Opportunity.stage)
    created = epoch_days(Opportunity.created_at)
    fallback_entered = case(
        (col(Stage.outcome) == "open", created),
        else_=func.coalesce(epoch_days(Opportunity.close_date), created),
    )
    later_change = (
        select(col(CloseDateChange.previous_close_date))
        .where(
            col(CloseDateChange.opportunity_id) == Opportunity.id,
            col(CloseDateChange.changed_at) >= ctx.as_of_end,
        )
        .order_by(col(CloseDateChange.changed_at))
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        sa_select(
            col(Opportunity.id),
            col(Opportunity.name),
            col(Opportunity.account_id),
            col(Opportunity.owner_id),
            col(Opportunity.product_id),
            col(Opportunity.amount_cents),
            created.label("created"),
            func.coalesce(later_change, Opportunity.close_date).label("close_date"),
            stage.label("stage"),
            col(Stage.outcome).label("outcome"),
            func.coalesce(cur.c.entered, fallback_entered).label("entered"),
            *extra,
        )
        .outerjoin(cur, cur.c.opportunity_id == Opportunity.id)
        .join(Stage, col(Stage.name) == stage)
        .where(col(Stage.outcome).in_(outcomes), *conditions)
    )

    def load() -> pd.DataFrame:
        frame = fetch_frame(ctx, stmt)
        frame["close_date"] = as_dates(frame["close_date"])
        return _dedupe_ties(frame, stages_frame(ctx))

    return cached(ctx, query_key(stmt), load)


def _dedupe_ties(frame: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """Keep one row per deal when two history entries share the last instant."""
    if frame.empty or not frame["id"].duplicated().any():
        return frame.reset_index(drop=True)
    frame = frame.assign(_pos=frame["stage"].map(stages["position"]))
    frame = frame.sort_values(["id", "_pos"]).drop_duplicates("id", keep="last")
    return frame.drop(columns="_pos").reset_index(drop=True)


def last_activity_expr(ctx: ToolContext) -> Any:
    """Correlated subquery: the deal's latest activity before as_of_end (days)."""
    return (
        select(func.max(epoch_days(Activity.occurred_at)))
        .where(
            col(Activity.opportunity_id) == Opportunity.id,
            col(Activity.occurred_at) < ctx.as_of_end,
        )
        .scalar_subquery()
        .label("last_activity")
    )


def pushes_expr(ctx: ToolContext) -> Any:
    """Correlated subquery: close-date pushes (new date later than the previous) by as_of."""
    return (
        select(func.count())
        .select_from(CloseDateChange)
        .where(
            col(CloseDateChange.opportunity_id) == Opportunity.id,
            col(CloseDateChange.changed_at) < ctx.as_of_end,
            col(CloseDateChange.new_close_date) > col(CloseDateChange.previous_close_date),
        )
        .scalar_subquery()
        .label("pushes")
    )


def history_frame(ctx: ToolContext, conditions: list[ColumnElement[bool]]) -> pd.DataFrame:
    """Every stage entry before as_of_end of the matching deals, with when it was left.

    Cached per data version and query (read-only). Columns: opportunity_id, stage,
    entered, position, left (days; NaN while current or once the deal is closed), deal
    (integer code of the deal), outcome (of the stage), final (the deal's outcome as of
    as_of), top (highest open position the deal reached); stage, outcome and final are
    categorical; sorted by deal and time. A
    visit ends when the next one starts.

    """
    stmt: Any = (
        sa_select(
            col(StageHistory.opportunity_id).label("opportunity_id"),
            col(StageHistory.stage).label("stage"),
            epoch_days(StageHistory.entered_at).label("entered"),
            col(Stage.position).label("position"),
        )
        .join(Opportunity, col(Opportunity.id) == StageHistory.opportunity_id)
        .join(Stage, col(Stage.name) == StageHistory.stage)
        .where(col(StageHistory.entered_at) < ctx.as_of_end, *conditions)
    )

    def load() -> pd.DataFrame:
        frame = fetch_frame(ctx, stmt)
        frame = frame.sort_values(["opportunity_id", "entered", "position"], kind="stable")
        deal = pd.factorize(frame["opportunity_id"])[0]
        outcome = frame["stage"].map(stages_frame(ctx)["outcome"]).to_numpy()
        by_deal = pd.Series(frame["entered"].to_numpy()).groupby(deal, sort=False)
        open_position = np.where(outcome == "open", frame["position"].to_numpy(), -1)
        final = pd.Series(outcome).groupby(deal, sort=False).transform("last").to_numpy()
        return frame.assign(
            stage=pd.Categorical(frame["stage"]),
            left=by_deal.shift(-1).to_numpy(),
            deal=deal,
            outcome=pd.Categorical(outcome),
            final=pd.Categorical(final),
            top=pd.Series(open_position).groupby(deal, sort=False).transform("max").to_numpy(),
        ).reset_index(drop=True)

    return cached(ctx, query_key(stmt), load)
