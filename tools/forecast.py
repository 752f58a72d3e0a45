"""Revenue forecast for a period: won so far, weighted pipeline, commit and best case.

For the deals closing in the period (close date as of ``as_of``):

- won so far: deals won in the period up to ``as_of``;
- stage-weighted: Σ amount × configured stage probability (``stages.probability``);
- historical: Σ amount × r_k, the stage's historical win rate learnt from stage
  history: of the deals that were ever in stage k and are closed by ``as_of``, the
  share won, smoothed with a Beta prior centred on the configured probability p_k,
  r_k = (won_k + a·p_k) / (closed_k + a) with a = 2 pseudo-deals (the posterior mean
  of the conjugate Beta-Binomial model; Gelman et al., *Bayesian Data Analysis*,
  3rd ed., §2.4). Rates are learnt on the whole store (see :mod:`tools.pipeline_cache`);
- forecast = won so far + historical; commit = won so far + open deals in "commit"
  stages (historical rate ≥ 0.7, or the last open stage); best case = won so far +
  every open deal closing in the period.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from tools.catalog import tool
from tools.context import ToolContext
from tools.funnel import stage_cohorts
from tools.periods import period_bounds
from tools.pipeline_cache import cached, company
from tools.pipeline_data import (
    history_frame,
    opportunity_filter,
    people_frame,
    snapshot,
    stages_frame,
    to_days,
)
from tools.records import MAX_IDS, cents_to_money

PRIOR_STRENGTH = 2.0
COMMIT_MIN_RATE = 0.7


class StageRate(BaseModel):
    """Historical win rate of the deals that passed through one stage."""

    stage: str = Field(description="Stage name.")
    configured_probability: float = Field(description="Probability set in the pipeline.")
    closed_deals: int = Field(description="Closed deals that were in the stage.")
    won_deals: int = Field(description="Of those, deals won.")
    rate: float = Field(description="Smoothed win rate (won + 2·p) / (closed + 2).")


def stage_win_rates(ctx: ToolContext) -> dict[str, StageRate]:
    """Historical win rate per open stage, learnt on the whole store (cached)."""
    return cached(ctx, "stage_win_rates", lambda: _fit_rates(company(ctx)))


def _fit_rates(ctx: ToolContext) -> dict[str, StageRate]:
    stages = stages_frame(ctx)
    cohorts = stage_cohorts(history_frame(ctx, opportunity_filter(ctx)), -np.inf, np.inf)
    counts = cohorts.groupby("stage")[["won", "lost"]].sum()
    rates = {}
    for name, info in stages[stages["outcome"] == "open"].iterrows():
        won = int(counts["won"].get(name, 0))
        closed = won + int(counts["lost"].get(name, 0))
        prior = float(info["probability"])
        rates[str(name)] = StageRate(
            stage=str(name),
            configured_probability=prior,
            closed_deals=closed,
            won_deals=won,
            rate=(won + PRIOR_STRENGTH * prior) / (closed + PRIOR_STRENGTH),
        )
    return rates


class ForecastRow(BaseModel):
    """The forecast of one rep, one team or everything selected."""

    level: Literal["rep", "team", "company"] = Field(description="What the row aggregates.")
    key: str | None = Field(description="User id (rep), team (team) or empty (company).")
    won: float = Field(description="Won so far in the period.")
    open_pipeline: float = Field(description="Open amount closing in the period.")
    stage_weighted: float = Field(description="Open amount × configured stage probability.")
    historical_weighted: float = Field(description="Open amount × historical stage win rate.")
    forecast: float = Field(description="won + historical_weighted.")
    commit: float = Field(description="won + open deals in commit stages.")
    best_case: float = Field(description="won + all open deals closing in the period.")
    won_opportunity_ids: list[str] = Field(description="Won deals, largest first (≤ 50).")
    open_opportunity_ids: list[str] = Field(description="Open deals, largest first (≤ 50).")


class Forecast(BaseModel):
    """Revenue forecast of a period with commit and best-case bands."""

    as_of: dt.date = Field(description="Analysis date.")
    currency: str = Field(description="Currency of the amounts.")
    period: str = Field(description="The period asked for.")
    start: dt.date = Field(description="First day of the period.")
    end: dt.date = Field(description="Last day of the period.")
    stage_rates: list[StageRate] = Field(description="Historical win rate per open stage.")
    commit_stages: list[str] = Field(description="Stages counted in the commit band.")
    company: ForecastRow = Field(description="Everything selected together.")
    teams: list[ForecastRow] = Field(description="Per team, largest forecast first.")
    reps: list[ForecastRow] = Field(description="Per rep, largest forecast first.")


@tool
def forecast(
    ctx: ToolContext,
    *,
    period: str = "this quarter",
    start: dt.date | None = None,
    end: dt.date | None = None,
    owner_id: str | None = None,
    team: str | None = None,
) -> Forecast:
    """Forecast revenue for a period: won so far, weighted pipeline, commit and best case.

    Use for "what will we close this quarter", "forecast for Q3", "commit vs best
    case". Gives stage-weighted and historical-win-rate-weighted figures per rep,
    team and company.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        period: A period such as "this quarter", "next quarter", "Q3 2026", "2026", "March".
        start: First day (YYYY-MM-DD); with end, overrides period.
        end: Last day (YYYY-MM-DD); with start, overrides period.
        owner_id: Only this rep's deals (a user id); default all deals you can see.
        team: Only deals owned by members of this team.
    """
    span = period_bounds(period, start, end, ctx.as_of)
    lo, hi = to_days(span.start), to_days(span.end) + 1
    conditions = opportunity_filter(ctx, owner_id, team)
    won = snapshot(ctx, ("won",), conditions)
    won = won[(won["entered"] >= lo) & (won["entered"] < hi)]
    deals = snapshot(ctx, ("open",), conditions)
    close = pd.to_datetime(deals["close_date"]).dt.date
    deals = deals[(close >= span.start) & (close <= span.end)]
    rates = stage_win_rates(ctx)
    commit = _commit_stages(ctx, rates)
    frame = _valued(pd.concat([won, deals]), ctx, rates, commit)
    people = people_frame(ctx, frame["owner_id"].unique().tolist())
    frame = frame.assign(team=frame["owner_id"].map(people["team"]))
    return Forecast(
        as_of=ctx.as_of,
        currency=ctx.currency,
        period=span.label,
        start=span.start,
        end=span.end,
        stage_rates=list(rates.values()),
        commit_stages=commit,
        company=_company(frame),
        teams=_rows("team", frame, "team"),
        reps=_rows("rep", frame, "owner_id"),
    )


def _commit_stages(ctx: ToolContext, rates: dict[str, StageRate]) -> list[str]:
    stages = stages_frame(ctx)
    open_stages = stages.index[stages["outcome"] == "open"].tolist()
    last = open_stages[-1:] if open_stages else []
    return [s for s in open_stages if rates[s].rate >= COMMIT_MIN_RATE or s in last]


def _valued(
    frame: pd.DataFrame, ctx: ToolContext, rates: dict[str, StageRate], commit: list[str]
) -> pd.DataFrame:
    """Per deal: won / open amounts (cents) and their weighted values."""
    is_won = (frame["outcome"] == "won").to_numpy()
    cents = frame["amount_cents"].astype(float).to_numpy()
    open_cents = np.where(is_won, 0.0, cents)
    configured = frame["stage"].map(stages_frame(ctx)["probability"]).astype(float)
    historical = frame["stage"].map({k: r.rate for k, r in rates.items()}).astype(float)
    return frame.assign(
        won_c=np.where(is_won, cents, 0.0),
        open_c=open_cents,
        stage_c=open_cents * configured.fillna(0).to_numpy(),
        hist_c=open_cents * historical.fillna(0).to_numpy(),
        commit_c=np.where(frame["stage"].isin(commit).to_numpy(), open_cents, 0.0),
    ).sort_values("amount_cents", ascending=False)


SUMS = ["won_c", "open_c", "stage_c", "hist_c", "commit_c"]


def _row(
    level: Literal["rep", "team", "company"],
    key: str | None,
    sums: dict[str, float],
    ids: tuple[list[str], list[str]],
) -> ForecastRow:
    won = sums["won_c"]
    return ForecastRow(
        level=level,
        key=key,
        won=cents_to_money(won),
        open_pipeline=cents_to_money(sums["open_c"]),
        stage_weighted=cents_to_money(sums["stage_c"]),
        historical_weighted=cents_to_money(sums["hist_c"]),
        forecast=cents_to_money(won + sums["hist_c"]),
        commit=cents_to_money(won + sums["commit_c"]),
        best_case=cents_to_money(won + sums["open_c"]),
        won_opportunity_ids=ids[0],
        open_opportunity_ids=ids[1],
    )


def _company(frame: pd.DataFrame) -> ForecastRow:
    sums = {name: float(frame[name].sum()) for name in SUMS}
    return _row("company", None, sums, _ids(frame))


def _ids(part: pd.DataFrame) -> tuple[list[str], list[str]]:
    won = part.loc[part["won_c"] > 0, "id"].head(MAX_IDS).tolist()
    return won, part.loc[part["outcome"] == "open", "id"].head(MAX_IDS).tolist()


def _rows(level: Literal["rep", "team"], frame: pd.DataFrame, by: str) -> list[ForecastRow]:
    keys = frame[by].astype(object).fillna("")
    sums: dict[str, dict[str, float]] = frame[SUMS].groupby(keys.to_numpy()).sum().to_dict("index")  # type: ignore[assignment]
    won = frame[frame["won_c"] > 0].groupby(keys[frame["won_c"] > 0].to_numpy())["id"]
    opened = frame[frame["outcome"] == "open"].groupby(keys[frame["outcome"] == "open"].to_numpy())
    won_ids = won.apply(lambda s: s.head(MAX_IDS).tolist()).to_dict()
    open_ids = opened["id"].apply(lambda s: s.head(MAX_IDS).tolist()).to_dict()
    rows = [
        _row(level, key or None, row, (won_ids.get(key, []), open_ids.get(key, [])))
        for key, row in sums.items()
    ]
    return sorted(rows, key=lambda r: (-r.forecast, str(r.key)))
