"""``/v1/pipeline``, ``/v1/forecast`` and ``/v1/segments``: the book as a whole."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CtxDep
from tools.forecast import Forecast, forecast
from tools.pipeline import PipelineByStage, pipeline_by_stage
from tools.rfm_segments import SegmentDistribution, rfm_segment_distribution

router = APIRouter(prefix="/v1", tags=["pipeline"])

OwnerQuery = Annotated[
    str | None, Query(max_length=64, description="Only this rep's deals (a user id).")
]
TeamQuery = Annotated[str | None, Query(max_length=64, description="Only this team's deals.")]


@router.get("/pipeline", response_model=PipelineByStage)
def pipeline(ctx: CtxDep, owner: OwnerQuery = None, team: TeamQuery = None) -> PipelineByStage:
    """Open pipeline by stage: deal counts, amounts and weighted amounts."""
    return pipeline_by_stage(ctx, owner_id=owner, team=team)


@router.get("/forecast", response_model=Forecast)
def sales_forecast(
    ctx: CtxDep,
    owner: OwnerQuery = None,
    team: TeamQuery = None,
    period: Annotated[
        str, Query(max_length=40, description="'this quarter', 'Q3 2026', '2026', 'March'...")
    ] = "this quarter",
    start: Annotated[
        dt.date | None, Query(description="First day; with end, overrides period.")
    ] = None,
    end: Annotated[
        dt.date | None, Query(description="Last day; with start, overrides period.")
    ] = None,
) -> Forecast:
    """Forecast of the deals closing in a period: weighted, commit and best case."""
    return forecast(ctx, period=period, start=start, end=end, owner_id=owner, team=team)


@router.get("/segments", response_model=SegmentDistribution)
def segments(
    ctx: CtxDep,
    window_days: Annotated[int | None, Query(ge=1, le=36500, description="Last N days.")] = None,
) -> SegmentDistribution:
    """How your customers spread over the RFM segments (counts and revenue shares)."""
    return rfm_segment_distribution(ctx, window_days=window_days)
