from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.tools.builders_pipeline import World, stall_world
from tools.errors import InvalidArgument, NotFound
from tools.velocity import sales_velocity, slipped_deals, stalled_deals


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    with Session(engine) as session:
        yield stall_world(session)


def test_velocity_multiplies_open_deals_win_rate_and_won_amount_over_cycle(world: World) -> None:
    result = sales_velocity(world.ctx())
    # Won W1 (50 days, 30k), W2 (70 days, 10k), W3 (40 days, 20k); lost L1; 6 open.
    assert (result.won_deals, result.lost_deals, result.open_deals) == (3, 1, 6)
    assert result.win_rate == 0.75
    assert result.average_won_amount == 20000.0
    assert result.cycle_days_median == 50.0
    assert result.cycle_days_mean == pytest.approx(53.3, abs=0.05)
    assert result.velocity_per_day == pytest.approx(6 * 0.75 * 20000 / (160 / 3), abs=0.01)
    assert sorted(result.won_opportunity_ids) == ["W1", "W2", "W3"]


def test_velocity_stage_times_come_from_the_selected_reps_won_deals(world: World) -> None:
    result = sales_velocity(world.ctx(), owner_id="rep1")
    proposal = next(s for s in result.stages if s.stage == "Proposal")
    assert (proposal.median_days, proposal.n_won_deals) == (20.0, 2)  # W1 20, W2 20
    assert result.win_rate == 1.0 and result.open_deals == 3


def test_velocity_without_closed_deals_leaves_rates_empty(world: World) -> None:
    result = sales_velocity(world.ctx(as_of=dt.date(2026, 1, 15)))
    assert result.win_rate is None and result.velocity_per_day is None
    assert result.stages == []


def test_stalled_deals_lists_largest_first_with_evidence(world: World) -> None:
    result = stalled_deals(world.ctx())
    assert [d.opportunity_id for d in result.deals] == ["O3", "O2", "O5", "O4"]
    assert result.total_count == 4 and result.total_amount == 73000.0
    o3 = result.deals[0]
    assert (o3.stage, o3.days_in_stage, o3.stage_p75_days) == ("Negotiation", 20, 10.0)
    assert o3.reason == "20 days in Negotiation (won deals: p75 10 days)"  # quiet 29 days only


def test_a_shorter_inactivity_threshold_flags_quiet_deals(world: World) -> None:
    ids = {d.opportunity_id for d in stalled_deals(world.ctx(), inactive_days=4).deals}
    assert ids == {"O1", "O2", "O3", "O4", "O5", "O6"}  # O1 quiet 5 days, O6 since creation 5


def test_stalled_deals_respects_limit_but_counts_all(world: World) -> None:
    result = stalled_deals(world.ctx(), limit=1)
    assert len(result.deals) == 1 and result.total_count == 4
    with pytest.raises(InvalidArgument):
        stalled_deals(world.ctx(), limit=0)


def test_slipped_deals_shows_passed_and_pushed_close_dates(world: World) -> None:
    result = slipped_deals(world.ctx())
    assert [d.opportunity_id for d in result.deals] == ["O3", "O2"]
    o3, o2 = result.deals
    assert o3.pushes == 2 and o3.days_past_close is None
    assert [c.new_close_date for c in o3.changes] == [dt.date(2026, 7, 10), dt.date(2026, 7, 31)]
    assert (o2.close_date, o2.days_past_close) == (dt.date(2026, 6, 15), 15)


def test_a_rep_gets_only_their_own_stalled_and_slipped_deals(world: World) -> None:
    rep = world.ctx("rep1")
    assert {d.opportunity_id for d in stalled_deals(rep).deals} == {"O2", "O5"}
    assert [d.opportunity_id for d in slipped_deals(rep).deals] == ["O2"]
    with pytest.raises(NotFound):
        slipped_deals(rep, owner_id="rep2")
