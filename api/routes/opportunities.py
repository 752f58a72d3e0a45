"""``/v1/opportunities``: the deal review of one opportunity."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CtxDep
from tools.deals import DealReview, deal_review

router = APIRouter(prefix="/v1/opportunities", tags=["opportunities"])


@router.get("/{opportunity_id}/review", response_model=DealReview)
def review_opportunity(ctx: CtxDep, opportunity_id: str) -> DealReview:
    """Deal review: facts, timeline, win probability, health, risks, committee, actions."""
    return deal_review(ctx, opportunity_id=opportunity_id)
