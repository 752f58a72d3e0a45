"""Value metrics on the hand-built book of :mod:`tests.tools.builders_metrics`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.tools.builders_accounts import ctx_for
from tests.tools.builders_metrics import END, START, metrics_book
from tools.errors import InvalidArgument, NotFound
from tools.metrics import ValueMetrics, value_metrics
from tools.rfm import rfm_table

MONTHS = 182 / (365.25 / 12)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        metrics_book(s)
        yield s


def metrics(session: Session, user: str = "admin", **kwargs: object) -> ValueMetrics:
    return value_metrics(ctx_for(session, user), start=START, end=END, **kwargs)  # type: ignore[arg-type]


def test_revenue_orders_and_average_order_value_count_the_period_only(session: Session) -> None:
    result = metrics(session)
    # Active: A1 (300 + 100), A3 (500), A4 (50 - 20 refund); A6's order is after as_of.
    assert result.active_customers.total == 3 and result.customers == 5
    assert result.orders.total == 4 and result.revenue == 930.0
    assert result.average_order_value.value == 232.5
    assert result.revenue_per_customer.value == 310.0
    assert set(result.orders.ids) == {"O0003", "O-COST", "O0006", "O0008"}


def test_gross_profit_uses_costs_and_the_default_margin_elsewhere(session: Session) -> None:
    result = metrics(session)
    # A1: 0.35 × 300 + (100 − 60); A3: 0.35 × 500; A4: 0.35 × (50 − 20).
    assert result.gross_profit == pytest.approx(105 + 40 + 175 + 10.5)
    assert result.gross_profit_per_customer.value == pytest.approx(330.5 / 3, abs=0.01)


def test_purchase_frequency_is_orders_per_active_customer_per_year(session: Session) -> None:
    result = metrics(session)
    assert result.purchase_frequency.value == pytest.approx(4 / 3 / (182 / 365.25), abs=0.01)
    assert result.repurchase_rate.value == pytest.approx(1 / 3, abs=1e-4)  # only A1 twice


def test_retention_counts_previous_period_customers_who_ordered_again(session: Session) -> None:
    result = metrics(session)
    # Previous period (2023-07-03 .. 2023-12-31) customers: A1, A2, A4, A5; A1 and A4 return.
    assert (result.retention_rate.numerator, result.retention_rate.denominator) == (2, 4)
    assert result.retention_rate.value == 0.5


def test_churn_uses_each_customers_usual_gap_and_a_default_for_one_time_buyers(
    session: Session,
) -> None:
    result = metrics(session)
    # A2: gap 61 days, silent 273 > 122 → churned. A4: gap 164, silent 29 → not.
    # A5 (one order): median repeat gap of A1 71, A2 61, A4 164 = 71; silent 356 > 142.
    assert result.churned.ids == ["A2", "A5"]
    assert result.churn_rate.value == 0.5


def test_a_larger_churn_multiple_forgives_longer_silences(session: Session) -> None:
    result = metrics(session, churn_multiple=4.5)  # A2: 273 < 4.5 × 61 = 274.5
    assert result.churned.ids == ["A5"]


def test_cac_divides_prorated_spend_by_new_customers(session: Session) -> None:
    result = metrics(session)
    # 9,100 (Jan-Mar, whole) + 6,000 × 30/60 (June of June-July); December is outside.
    assert result.new_customers.ids == ["A3"]
    assert result.cac is not None
    assert (result.cac.numerator, result.cac.denominator, result.cac.value) == (12100, 1, 12100)


def test_cac_is_company_level_and_withheld_from_a_reps_book(session: Session) -> None:
    assert metrics(session, owner_id="rep1").cac is None
    rep = metrics(session, user="rep1")
    assert rep.cac is None and "company-level" in rep.cac_note


def test_nps_subtracts_detractors_from_promoters(session: Session) -> None:
    service = metrics(session).service
    # In the period: 10, 10, 9 (promoters), 8, 7 (passives), 6, 0 (detractors).
    assert (service.promoters, service.passives, service.detractors) == (3, 2, 2)
    assert service.nps.value == pytest.approx(100 / 7, abs=0.05)
    assert "S-OLD" not in service.survey_ids.ids and "S-LATE" not in service.survey_ids.ids


def test_csat_mean_and_satisfied_share_over_rated_tickets(session: Session) -> None:
    service = metrics(session).service
    assert service.csat_mean.value == pytest.approx(11 / 3, abs=0.005)  # 5, 4, 2
    assert service.csat_satisfied_share.value == pytest.approx(2 / 3, abs=1e-4)


def test_service_times_are_medians_of_what_happened_by_as_of(session: Session) -> None:
    service = metrics(session).service
    # First responses 2 h, 6 h, 10 h (T4's answer comes after as_of); resolutions 24 h, 12 h.
    assert (service.first_response_hours.value, service.first_response_hours.count) == (6.0, 3)
    assert (service.resolution_hours.value, service.resolution_hours.count) == (18.0, 2)


def test_complaint_rate_is_complaints_in_the_period_per_customer(session: Session) -> None:
    result = metrics(session)
    assert sorted(result.service.complaints.ids) == ["T1", "T3"]
    assert result.complaint_rate.value == pytest.approx(2 / 5)


def test_contact_frequency_is_activities_per_account_per_month(session: Session) -> None:
    result = metrics(session)
    # X1-X3 (A1) and X4 (A6) in the period; 6 accounts over 182 days.
    assert (result.contact_frequency.numerator, result.accounts) == (4, 6)
    assert result.contact_frequency.value == pytest.approx(4 / (6 * MONTHS), abs=1e-4)


def test_sales_cycle_is_the_median_of_deals_won_in_the_period(session: Session) -> None:
    result = metrics(session)
    assert result.won_opportunities.ids == ["W1", "W2"]  # W3 was won in 2023
    assert result.sales_cycle_days.value == 75.0  # 60 and 90 days


def test_a_reps_metrics_cover_only_their_accounts(session: Session) -> None:
    result = metrics(session, user="rep1")
    assert result.active_customers.ids == ["A1"] and result.revenue == 400.0
    assert result.churned.ids == ["A2"] and result.accounts == 3
    assert result.won_opportunities.ids == ["W1"]
    assert result.service.survey_ids.total == 4


def test_a_rep_asking_about_another_reps_account_gets_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="not found or not yours"):
        metrics(session, user="rep1", account_id="A3")
    with pytest.raises(NotFound):
        metrics(session, user="rep1", owner_id="rep2")


def test_a_manager_sees_a_reps_book_and_the_team(session: Session) -> None:
    assert metrics(session, user="mgr", owner_id="rep2").active_customers.ids == ["A3", "A4"]
    assert metrics(session, user="mgr", team="A").revenue == 930.0


def test_one_account_gets_its_own_figures(session: Session) -> None:
    result = metrics(session, account_id="A4")
    assert (result.revenue, result.orders.total, result.retention_rate.value) == (30.0, 1, 1.0)


def test_segment_metrics_cover_exactly_the_segments_accounts(session: Session) -> None:
    ctx = ctx_for(session, "admin", as_of=END)
    table = rfm_table(ctx)
    segment = table.loc["A3", "segment"]
    members = set(table.index[table["segment"] == segment])
    result = metrics(session, segment=segment)
    assert set(result.active_customers.ids) | set(result.churned.ids) <= members
    assert "A3" in result.active_customers.ids


def test_the_default_period_is_the_twelve_months_ending_at_as_of(session: Session) -> None:
    result = value_metrics(ctx_for(session, "admin"))
    assert (result.start, result.end) == (dt.date(2023, 7, 1), END)


def test_a_period_after_as_of_is_rejected(session: Session) -> None:
    with pytest.raises(InvalidArgument):
        value_metrics(ctx_for(session, "admin"), period="next quarter")
