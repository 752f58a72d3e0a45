"""The stage-analysis tools on the demo world: they find the planted stalled and slipped deals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm.models import DemoTruth, Opportunity
from crm.scope import Scope
from tools.context import ToolContext
from tools.pipeline import open_deals_frame, pipeline_by_stage
from tools.velocity import slipped_deals, stalled_deals

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def ctx(demo_world: Engine) -> Iterator[ToolContext]:
    with Session(demo_world) as session:
        yield ToolContext(session=session, scope=Scope.everything(), as_of=AS_OF)


def planted(ctx: ToolContext, label: str) -> set[str]:
    rows = ctx.session.exec(
        select(DemoTruth.entity_id).where(
            DemoTruth.entity == "opportunity", DemoTruth.label == label
        )
    ).all()
    return set(rows)


def test_every_planted_stalled_deal_is_flagged(ctx: ToolContext) -> None:
    truth = planted(ctx, "stalled")
    found = set(open_deals_frame(ctx).query("is_stalled")["id"])
    recall = len(found & truth) / len(truth)
    assert len(truth) > 10 and recall == 1.0  # measured: 32 / 32, precision 0.94
    assert stalled_deals(ctx).total_count == len(found)


def test_every_planted_slipped_deal_is_flagged(ctx: ToolContext) -> None:
    truth = planted(ctx, "slipped")
    found = set(open_deals_frame(ctx).query("is_slipped")["id"])
    assert len(truth) > 10 and found == truth  # measured: 34 / 34, precision 1.0
    assert slipped_deals(ctx).total_count == len(truth)


def test_the_open_pipeline_matches_the_planted_open_deals(ctx: ToolContext) -> None:
    assert pipeline_by_stage(ctx).total_count == len(planted(ctx, "open"))


def test_a_rep_sees_only_their_share_of_the_stalled_deals(ctx: ToolContext) -> None:
    owner = ctx.session.exec(select(Opportunity.owner_id).order_by(col(Opportunity.id))).first()
    assert owner is not None
    rep_ctx = ToolContext.for_user(ctx.session, owner, AS_OF)
    ids = [d.opportunity_id for d in stalled_deals(rep_ctx, limit=50).deals]
    owners = set(
        ctx.session.exec(select(Opportunity.owner_id).where(col(Opportunity.id).in_(ids))).all()
    )
    assert owners <= {owner}
