"""The planted customer behaviours are measurable in the orders."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from tests.crm.demo_queries import AS_OF, read


@pytest.fixture(scope="module")
def orders(demo_world: Engine) -> pd.DataFrame:
    frame = read(
        demo_world,
        "SELECT o.account_id, o.order_date, o.amount_cents, t.label AS behaviour, t.detail "
        "FROM orders o JOIN demo_truth t ON t.entity = 'account' AND t.entity_id = o.account_id",
    )
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def per_account(orders: pd.DataFrame) -> pd.DataFrame:
    return orders.groupby(["behaviour", "account_id"]).agg(
        n=("amount_cents", "size"), total=("amount_cents", "sum")
    )


def test_loyal_customers_order_more_often_and_spend_more_than_any_other_kind(
    orders: pd.DataFrame,
) -> None:
    means = per_account(orders).groupby("behaviour").mean()
    others = means.drop(index="loyal_high_value")
    assert (means.loc["loyal_high_value", "n"] > others["n"]).all()
    assert (means.loc["loyal_high_value", "total"] > others["total"]).all()


def test_churned_customers_have_not_ordered_in_the_last_nine_months(orders: pd.DataFrame) -> None:
    churned = orders[orders["behaviour"] == "churned"]
    assert churned["account_id"].nunique() >= 10
    assert churned["order_date"].max() < pd.Timestamp(AS_OF) - pd.Timedelta(days=270)


def test_seasonal_buyers_place_most_orders_in_their_two_peak_months(orders: pd.DataFrame) -> None:
    seasonal = orders[orders["behaviour"] == "seasonal"].copy()
    peak = seasonal["detail"].str.extract(r"peak months (\d+), (\d+)").astype(int)
    month = seasonal["order_date"].dt.month
    in_peak = (month == peak[0]) | (month == peak[1])
    assert in_peak.mean() > 0.85


def test_growing_customers_are_new_and_their_yearly_spend_rises(orders: pd.DataFrame) -> None:
    growing = orders[orders["behaviour"] == "growing_new"]
    first = growing.groupby("account_id")["order_date"].min()
    assert (first > pd.Timestamp(AS_OF) - pd.Timedelta(days=550)).all()
    recent = growing["order_date"] > pd.Timestamp(AS_OF) - pd.Timedelta(days=90)
    older = growing["order_date"] <= pd.Timestamp(AS_OF) - pd.Timedelta(days=90)
    per_day_recent = growing.loc[recent, "amount_cents"].sum() / 90
    span = (pd.Timestamp(AS_OF) - pd.Timedelta(days=90) - first.min()).days
    assert per_day_recent > 1.5 * growing.loc[older, "amount_cents"].sum() / span


def test_one_off_buyers_ordered_exactly_once(orders: pd.DataFrame) -> None:
    table = per_account(orders).reset_index()
    counts = table.loc[table["behaviour"] == "one_off", "n"]
    assert len(counts) >= 10
    assert (counts == 1).all()


def test_prospects_never_ordered(demo_world: Engine, orders: pd.DataFrame) -> None:
    assert "prospect" not in set(orders["behaviour"])
    prospects = read(demo_world, "SELECT COUNT(*) AS n FROM demo_truth WHERE label = 'prospect'")
    assert prospects["n"][0] >= 40
