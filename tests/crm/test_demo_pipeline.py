"""The planted deal scenarios are measurable in the pipeline tables."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from tests.crm.demo_queries import AS_OF, read, truth


@pytest.fixture(scope="module")
def history(demo_world: Engine) -> pd.DataFrame:
    frame = read(demo_world, "SELECT opportunity_id, stage, entered_at FROM stage_history")
    frame["entered_at"] = pd.to_datetime(frame["entered_at"])
    frame = frame.sort_values(["opportunity_id", "entered_at"])
    frame["left_at"] = frame.groupby("opportunity_id")["entered_at"].shift(-1)
    return frame


def test_the_pipeline_has_six_stages_four_open_one_won_one_lost(demo_world: Engine) -> None:
    stages = read(demo_world, "SELECT name, probability, outcome FROM stages ORDER BY position")
    assert list(stages["outcome"]) == ["open"] * 4 + ["won", "lost"]
    assert list(stages["probability"]) == [0.1, 0.2, 0.4, 0.6, 1.0, 0.0]


def test_every_deal_has_a_history_ending_in_its_current_stage(
    demo_world: Engine, history: pd.DataFrame
) -> None:
    deals = read(demo_world, "SELECT id, stage, created_at FROM opportunities").set_index("id")
    last = history.groupby("opportunity_id")["stage"].last()
    assert (last.loc[deals.index] == deals["stage"]).all()
    first = history.groupby("opportunity_id")["stage"].first()
    assert set(first) == {"Prospecting"}


def test_every_won_deal_turned_into_an_order_on_its_close_date(demo_world: Engine) -> None:
    won = read(
        demo_world,
        "SELECT d.id, d.amount_cents, d.close_date, o.amount_cents AS ordered, o.order_date "
        "FROM opportunities d LEFT JOIN orders o ON o.opportunity_id = d.id "
        "WHERE d.stage = 'Closed Won'",
    )
    assert len(won) >= 50
    assert (won["ordered"] == won["amount_cents"]).all()
    assert (won["order_date"] == won["close_date"]).all()


def test_lost_deals_have_a_reason(demo_world: Engine) -> None:
    lost = read(demo_world, "SELECT lost_reason FROM opportunities WHERE stage = 'Closed Lost'")
    assert len(lost) >= 50
    assert lost["lost_reason"].notna().all()
    assert lost["lost_reason"].nunique() >= 5


def test_stalled_deals_sit_in_their_stage_longer_than_three_quarters_of_won_deals_did(
    demo_world: Engine, history: pd.DataFrame
) -> None:
    won = truth(demo_world, "opportunity", "won")
    done = history[history["opportunity_id"].isin(won) & history["left_at"].notna()]
    p75 = (done["left_at"] - done["entered_at"]).dt.days.groupby(done["stage"]).quantile(0.75)
    stalled = truth(demo_world, "opportunity", "stalled")
    current = history[history["opportunity_id"].isin(stalled) & history["left_at"].isna()]
    days = (pd.Timestamp(AS_OF) - current["entered_at"]).dt.days
    assert len(current) >= 20
    assert (days.to_numpy() > p75.loc[current["stage"]].to_numpy()).all()


def test_healthy_open_deals_are_not_stalled_looking(
    demo_world: Engine, history: pd.DataFrame
) -> None:
    won = truth(demo_world, "opportunity", "won")
    done = history[history["opportunity_id"].isin(won) & history["left_at"].notna()]
    p90 = (done["left_at"] - done["entered_at"]).dt.days.groupby(done["stage"]).quantile(0.9)
    healthy = truth(demo_world, "opportunity", "open") - truth(demo_world, "opportunity", "stalled")
    current = history[history["opportunity_id"].isin(healthy) & history["left_at"].isna()]
    days = (pd.Timestamp(AS_OF) - current["entered_at"]).dt.days
    assert (days.to_numpy() <= p90.loc[current["stage"]].to_numpy()).mean() > 0.95


def test_slipped_deals_are_past_their_close_date_or_were_pushed_at_least_twice(
    demo_world: Engine,
) -> None:
    deals = read(
        demo_world,
        "SELECT d.id, d.close_date, COUNT(c.id) AS pushes FROM opportunities d "
        "LEFT JOIN close_date_changes c ON c.opportunity_id = d.id GROUP BY d.id, d.close_date",
    ).set_index("id")
    slipped = deals.loc[sorted(truth(demo_world, "opportunity", "slipped"))]
    assert len(slipped) >= 20
    past = pd.to_datetime(slipped["close_date"]) < pd.Timestamp(AS_OF)
    assert (past | (slipped["pushes"] >= 2)).all()
    others = deals.drop(index=slipped.index)
    assert (others["pushes"] <= 1).all()


def test_pushes_move_the_close_date_later_and_chain(demo_world: Engine) -> None:
    changes = read(
        demo_world, "SELECT * FROM close_date_changes ORDER BY opportunity_id, changed_at"
    )
    assert (changes["new_close_date"] > changes["previous_close_date"]).all()
    chained = changes.groupby("opportunity_id")["new_close_date"].shift(1).dropna()
    assert (changes.loc[chained.index, "previous_close_date"] == chained).all()


def test_open_deals_mostly_have_a_next_step_and_closed_ones_none(demo_world: Engine) -> None:
    deals = read(demo_world, "SELECT stage, next_step, next_step_date FROM opportunities")
    closed = deals["stage"].str.startswith("Closed")
    assert deals.loc[closed, "next_step"].isna().all()
    has_step = deals.loc[~closed, "next_step"].notna().mean()
    assert 0.6 < has_step < 0.95
    assert (deals["next_step"].isna() == deals["next_step_date"].isna()).all()


def test_some_early_deals_have_no_account(demo_world: Engine) -> None:
    deals = read(demo_world, "SELECT stage FROM opportunities WHERE account_id IS NULL")
    assert len(deals) >= 5
    assert set(deals["stage"]) <= {"Prospecting", "Qualification", "Closed Lost"}
