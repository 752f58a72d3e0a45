from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.tools.builders_pipeline import World, stall_world
from tools.funnel import funnel_conversion, rep_performance

Q1 = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    with Session(engine) as session:
        yield stall_world(session)


def steps(result, group: int = 0) -> dict[str, tuple[int, int, int, int]]:  # type: ignore[no-untyped-def]
    return {s.stage: (s.entered, s.reached_next, s.won, s.lost) for s in result.groups[group].steps}


def test_funnel_follows_the_q1_cohorts_to_their_outcome(world: World) -> None:
    # Entered in Q1: W1, W2, W3 (won), L1 (lost after Qualification), O2 (open in Qualification).
    result = funnel_conversion(world.ctx(), **Q1)
    assert steps(result) == {
        "Prospecting": (5, 5, 3, 1),
        "Qualification": (5, 3, 3, 1),
        "Proposal": (3, 3, 3, 0),
        "Negotiation": (3, 3, 3, 0),
    }
    qualification = result.groups[0].steps[1]
    assert qualification.conversion_to_next == 0.6 and qualification.loss_share == 0.2
    assert result.win_rate == 0.75 and result.total_deals == 5


def test_funnel_by_rep_splits_cohorts_and_win_rates(world: World) -> None:
    result = funnel_conversion(world.ctx(), group_by="rep", **Q1)
    by_rep = {g.group: g for g in result.groups}
    assert (by_rep["rep1"].deals, by_rep["rep1"].win_rate) == (3, 1.0)  # W1, W2, O2
    assert (by_rep["rep2"].deals, by_rep["rep2"].win_rate) == (2, 0.5)  # W3, L1
    assert steps(result, 0)["Qualification"] == (3, 2, 2, 0)


def test_funnel_by_team_uses_the_owners_team(world: World) -> None:
    result = funnel_conversion(world.ctx(), group_by="team", **Q1)
    assert [(g.group, g.deals) for g in result.groups] == [("A", 3), ("B", 2)]


def test_funnel_counts_only_entries_in_the_period(world: World) -> None:
    result = funnel_conversion(world.ctx(), start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    # March entries: O2 Prospecting + Qualification, W2 and W3 Negotiation.
    assert steps(result)["Prospecting"] == (1, 1, 0, 0)
    assert steps(result)["Negotiation"] == (2, 2, 2, 0)


def test_a_reps_funnel_holds_only_their_deals(world: World) -> None:
    result = funnel_conversion(world.ctx("rep2"), **Q1)
    assert set(result.opportunity_ids) == {"W3", "L1"}


def test_rep_performance_ranks_reps_by_won_revenue(world: World) -> None:
    result = rep_performance(world.ctx())
    rep1, rep2 = result.reps
    assert (rep1.key, rep1.rank, rep1.team, rep1.name) == ("rep1", 1, "A", "Rep1")
    assert (rep1.won_deals, rep1.lost_deals, rep1.win_rate) == (2, 0, 1.0)
    assert (rep1.won_revenue, rep1.average_deal_size, rep1.cycle_days) == (40000.0, 20000.0, 60.0)
    assert rep1.won_opportunity_ids == ["W1", "W2"]
    assert (rep2.key, rep2.win_rate, rep2.won_revenue, rep2.cycle_days) == (
        "rep2",
        0.5,
        20000.0,
        40.0,
    )
    assert [(t.key, t.rank, t.won_revenue) for t in result.teams] == [
        ("A", 1, 40000.0),
        ("B", 2, 20000.0),
    ]
    assert (result.company.won_deals, result.company.lost_deals) == (3, 1)


def test_rep_performance_counts_deals_closed_in_the_period(world: World) -> None:
    # In March only W2 (2026-03-12) and W3 (2026-03-13) closed.
    result = rep_performance(world.ctx(), start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert [(r.key, r.won_revenue) for r in result.reps] == [("rep2", 20000.0), ("rep1", 10000.0)]
    assert result.company.lost_deals == 0


def test_a_manager_sees_the_performance_of_their_team_only(world: World) -> None:
    result = rep_performance(world.ctx("mgr"))
    assert [r.key for r in result.reps] == ["rep1"]
