from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.tools.builders_pipeline import World, stall_world
from tools.errors import InvalidArgument, NotFound
from tools.forecast import forecast, stage_win_rates


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    with Session(engine) as session:
        yield stall_world(session)


def test_stage_win_rates_are_beta_smoothed_shares_of_closed_deals(world: World) -> None:
    rates = stage_win_rates(world.ctx())
    # Prospecting: W1-W3 won, L1 lost; prior p = 0.1 with 2 pseudo-deals.
    assert (rates["Prospecting"].won_deals, rates["Prospecting"].closed_deals) == (3, 4)
    assert rates["Prospecting"].rate == pytest.approx((3 + 0.2) / 6, abs=1e-4)
    assert rates["Proposal"].rate == pytest.approx((3 + 1.0) / 5, abs=1e-4)
    assert rates["Negotiation"].rate == pytest.approx((3 + 1.6) / 5, abs=1e-4)


def test_q3_forecast_weights_open_deals_closing_in_the_quarter(world: World) -> None:
    result = forecast(world.ctx(), period="Q3")
    # O1 10k Proposal, O3 40k Negotiation, O4 5k and O5 8k Prospecting, O6 12k Proposal.
    c = result.company
    assert (result.start, result.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert (c.won, c.open_pipeline) == (0.0, 75000.0)
    assert c.stage_weighted == 44300.0  # 5000 + 32000 + 500 + 800 + 6000
    assert c.historical_weighted == pytest.approx(8000 + 36800 + 13000 * 3.2 / 6 + 9600, abs=0.02)
    assert result.commit_stages == ["Proposal", "Negotiation"]
    assert (c.commit, c.best_case) == (62000.0, 75000.0)
    assert sorted(c.open_opportunity_ids) == ["O1", "O3", "O4", "O5", "O6"]


def test_the_year_forecast_adds_deals_won_so_far(world: World) -> None:
    result = forecast(world.ctx(), period="2026")
    c = result.company
    assert c.won == 60000.0 and c.won_opportunity_ids == ["W1", "W3", "W2"]
    assert c.best_case == 60000.0 + 95000.0
    assert c.forecast == pytest.approx(60000.0 + c.historical_weighted, abs=0.01)


def test_forecast_breaks_down_by_rep_and_team(world: World) -> None:
    result = forecast(world.ctx(), period="Q3")
    reps = {r.key: r for r in result.reps}
    assert reps["rep1"].best_case == 18000.0  # O1 10k + O5 8k
    assert reps["rep2"].best_case == 57000.0  # O3 40k + O4 5k + O6 12k
    assert [t.key for t in result.teams] == ["B", "A"]


def test_explicit_dates_override_the_period_text(world: World) -> None:
    result = forecast(world.ctx(), start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 15))
    assert sorted(result.company.open_opportunity_ids) == ["O1", "O5"]
    with pytest.raises(InvalidArgument):
        forecast(world.ctx(), period="someday")


def test_a_reps_forecast_holds_only_their_deals(world: World) -> None:
    result = forecast(world.ctx("rep1"), period="Q3")
    assert result.company.best_case == 18000.0
    with pytest.raises(NotFound):
        forecast(world.ctx("rep1"), owner_id="rep2")
