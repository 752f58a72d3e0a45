"""Value metrics and lead scores on the demo world are in plausible ranges."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.scope import Scope
from tools.context import ToolContext
from tools.leads import score_leads
from tools.metrics import value_metrics

AS_OF = dt.date(2026, 6, 30)


def test_company_metrics_on_the_demo_world_are_plausible(demo_world: Engine) -> None:
    with Session(demo_world) as session:
        result = value_metrics(ToolContext(session, Scope.everything(), AS_OF))
    assert 0 < result.active_customers.total <= result.customers <= result.accounts
    assert result.average_order_value.value is not None and result.average_order_value.value > 0
    assert 0 < result.gross_profit < result.revenue
    for rate in (result.repurchase_rate, result.retention_rate, result.churn_rate):
        assert rate.value is not None and 0 <= rate.value <= 1
    assert result.cac is not None and result.cac.value is not None and result.cac.value > 0
    service = result.service
    assert service.nps.value is not None and -100 <= service.nps.value <= 100
    assert service.csat_mean.value is not None and 1 <= service.csat_mean.value <= 5
    first, resolved = service.first_response_hours.value, service.resolution_hours.value
    assert first is not None and resolved is not None and 0 < first < resolved
    assert result.sales_cycle_days.value is not None and result.sales_cycle_days.value > 0


def test_a_demo_reps_metrics_are_a_part_of_the_company(demo_world: Engine) -> None:
    with Session(demo_world) as session:
        everything = value_metrics(ToolContext(session, Scope.everything(), AS_OF))
        rep = value_metrics(ToolContext.for_user(session, "rep03", AS_OF))
    assert rep.accounts < everything.accounts and rep.revenue < everything.revenue
    assert rep.cac is None


def test_demo_leads_rank_with_a_trained_model(demo_world: Engine) -> None:
    with Session(demo_world) as session:
        ranking = score_leads(ToolContext(session, Scope.everything(), AS_OF), limit=10)
    assert ranking.model.method == "logistic_regression"
    combined = [lead.combined_score for lead in ranking.leads]
    assert combined == sorted(combined, reverse=True)
    assert all(0 <= lead.conversion_probability <= 1 for lead in ranking.leads)
