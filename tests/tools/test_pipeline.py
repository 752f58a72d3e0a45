from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.tools.builders_pipeline import World, at, stall_world
from tools.errors import NotFound
from tools.pipeline import deal_timeline, open_deals_frame, pipeline_by_stage, stage_norms


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    with Session(engine) as session:
        yield stall_world(session)


def test_stage_norms_are_median_and_p75_of_won_deals_time_in_stage(world: World) -> None:
    norms = stage_norms(world.ctx())
    assert set(norms) == {"Prospecting", "Qualification", "Proposal", "Negotiation"}
    assert (norms["Prospecting"].median_days, norms["Prospecting"].p75_days) == (10.0, 15.0)
    assert (norms["Proposal"].median_days, norms["Proposal"].p75_days) == (20.0, 20.0)
    assert norms["Negotiation"].n_won_deals == 3


def test_stage_norms_ignore_wins_recorded_after_as_of(world: World) -> None:
    # On 2026-03-01 only W1 had been won: its own days are the norms.
    norms = stage_norms(world.ctx(as_of=at("2026-03-01").date()))
    assert norms["Proposal"].median_days == 20.0
    assert norms["Qualification"].n_won_deals == 1


def test_open_deals_as_of_use_the_stage_held_on_that_date(world: World) -> None:
    deals = open_deals_frame(world.ctx()).set_index("id")
    assert sorted(deals.index) == ["O1", "O2", "O3", "O4", "O5", "O6"]
    assert deals.loc["O5", "stage"] == "Prospecting"  # won only on 2026-07-10
    assert deals.loc["O6", "stage"] == "Proposal"  # no history: opportunities.stage
    assert deals.loc["O2", "days_in_stage"] == 112
    assert deals.loc["O6", "age_days"] == 5


def test_open_deals_count_activity_and_pushes_before_as_of_only(world: World) -> None:
    deals = open_deals_frame(world.ctx()).set_index("id")
    assert deals.loc["O4", "days_since_activity"] == 60
    assert deals.loc["O6", "days_since_activity"] == 5  # never touched: since creation
    assert deals.loc["O3", "close_date_pushes"] == 2
    assert str(deals.loc["O3", "close_date"]) == "2026-07-31"  # before the July push


def test_stalled_and_slipped_flags_carry_their_reasons(world: World) -> None:
    deals = open_deals_frame(world.ctx()).set_index("id")
    assert sorted(deals.index[deals["is_stalled"]]) == ["O2", "O3", "O4", "O5"]
    assert sorted(deals.index[deals["is_slipped"]]) == ["O2", "O3"]
    assert deals.loc["O4", "stalled_reason"] == (
        "90 days in Prospecting (won deals: p75 15 days); no activity for 60 days"
    )
    assert deals.loc["O2", "slipped_reason"] == "close date 2026-06-15 passed 15 days ago"
    assert deals.loc["O3", "slipped_reason"] == "close date pushed 2 times"


def test_a_rep_sees_only_their_open_deals(world: World) -> None:
    assert sorted(open_deals_frame(world.ctx("rep1"))["id"]) == ["O1", "O2", "O5"]
    assert sorted(open_deals_frame(world.ctx("mgr"), team="A")["id"]) == ["O1", "O2", "O5"]


def test_asking_for_another_reps_deals_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        open_deals_frame(world.ctx("rep1"), owner_id="rep2")
    with pytest.raises(NotFound):
        deal_timeline(world.ctx("rep1"), "O3")


def test_deal_timeline_lists_visits_with_days(world: World) -> None:
    visits = deal_timeline(world.ctx(), "W1")
    assert [v.stage for v in visits] == [
        "Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won"
    ]  # fmt: skip
    assert [v.days for v in visits] == [10.0, 10.0, 20.0, 10.0, None]
    current = deal_timeline(world.ctx(), "O5")
    assert len(current) == 1 and current[0].left_at is None and current[0].days == 60.0


def test_pipeline_by_stage_sums_counts_amounts_and_weights(world: World) -> None:
    result = pipeline_by_stage(world.ctx())
    rows = {r.stage: r for r in result.stages}
    assert [r.stage for r in result.stages] == [
        "Prospecting", "Qualification", "Proposal", "Negotiation"
    ]  # fmt: skip
    assert (rows["Prospecting"].count, rows["Prospecting"].amount) == (2, 13000.0)
    assert rows["Prospecting"].weighted_amount == 1300.0
    assert rows["Prospecting"].average_age_days == 75.0  # (90 + 60) / 2
    assert rows["Proposal"].opportunity_ids == ["O6", "O1"]  # largest first
    assert (result.total_count, result.total_amount) == (6, 95000.0)
    assert result.total_weighted_amount == 48300.0  # 1300 + 4000 + 11000 + 32000


def test_pipeline_by_stage_for_a_rep_counts_only_their_deals(world: World) -> None:
    result = pipeline_by_stage(world.ctx("rep1"))
    assert result.total_count == 3 and result.total_amount == 38000.0


def test_learnt_norms_are_refreshed_when_a_deal_is_won(world: World) -> None:
    assert stage_norms(world.ctx())["Proposal"].n_won_deals == 3
    world.deal("W4", "rep2", [("Proposal", "2026-05-01"), ("Closed Won", "2026-05-31")])
    norms = stage_norms(world.ctx())
    assert norms["Proposal"].n_won_deals == 4  # 10, 20, 20, 30 days
    assert norms["Proposal"].median_days == 20.0


def test_stage_norms_of_a_store_without_won_deals_are_empty() -> None:
    import pandas as pd

    from tools.pipeline import summarise_stage_days

    empty = pd.DataFrame({"position": [], "stage": [], "days": []}, dtype=object)
    assert summarise_stage_days(empty) == {}
    days = pd.DataFrame(
        {"position": [1, 1, 1, 1], "stage": ["Qual"] * 4, "days": [1, 2, 3, 4]}, dtype=object
    )
    norm = summarise_stage_days(days)["Qual"]
    assert (norm.median_days, norm.p75_days, norm.n_won_deals) == (2.5, 3.2, 4)


def test_a_deal_recorded_as_won_but_open_in_its_history_gets_its_activity_and_pushes(
    world: World,
) -> None:
    # the stage field says won, the history (the rule) says Proposal as of as_of
    world.deal("ODD", "rep1", [("Proposal", "2026-05-01")], close="2026-07-15",
               stage="Closed Won")  # fmt: skip
    world.activity("ODD", "2026-06-20")
    world.push("ODD", "2026-06-01", "2026-06-15", "2026-07-01")
    world.push("ODD", "2026-06-10", "2026-07-01", "2026-07-15")
    deal = open_deals_frame(world.ctx()).set_index("id").loc["ODD"]
    assert deal["stage"] == "Proposal"
    assert (deal["days_since_activity"], deal["close_date_pushes"]) == (10, 2)
