"""Tickets, surveys, leads and marketing spend carry the signals the tools need."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from tests.crm.demo_queries import read

BY_BEHAVIOUR = "JOIN demo_truth t ON t.entity = 'account' AND t.entity_id = x.account_id"


def test_churned_customers_are_less_satisfied_than_loyal_ones(demo_world: Engine) -> None:
    tickets = read(demo_world, f"SELECT x.csat, x.kind, t.label FROM tickets x {BY_BEHAVIOUR}")
    csat = tickets.groupby("label")["csat"].mean()
    assert csat["churned"] < csat["loyal_high_value"] - 1
    nps = read(demo_world, f"SELECT x.nps, t.label FROM surveys x {BY_BEHAVIOUR}")
    by = nps.groupby("label")["nps"].mean()
    assert by["churned"] < 6 < by["loyal_high_value"]


def test_ticket_times_are_ordered_and_open_tickets_have_no_resolution(demo_world: Engine) -> None:
    tickets = read(demo_world, "SELECT * FROM tickets")
    for column in ("opened_at", "first_response_at", "resolved_at"):
        tickets[column] = pd.to_datetime(tickets[column])
    assert set(tickets["kind"]) == {"complaint", "question", "incident"}
    answered = tickets.dropna(subset=["first_response_at"])
    assert (answered["first_response_at"] > answered["opened_at"]).all()
    resolved = tickets.dropna(subset=["resolved_at"])
    assert (resolved["resolved_at"] >= resolved["first_response_at"]).all()
    unresolved = tickets[tickets["status"].isin(["open", "pending"])]
    assert unresolved["resolved_at"].isna().all()
    assert tickets["csat"].dropna().between(1, 5).all()


def test_converted_leads_point_at_accounts_created_after_them(demo_world: Engine) -> None:
    leads = read(
        demo_world,
        "SELECT l.status, l.created_at, a.created_at AS became, l.email_opens, l.page_views "
        "FROM leads l LEFT JOIN accounts a ON a.id = l.converted_account_id",
    )
    converted = leads[leads["status"] == "converted"]
    assert len(converted) >= 10
    assert (pd.to_datetime(converted["created_at"]) < pd.to_datetime(converted["became"])).all()
    assert leads.loc[leads["status"] != "converted", "became"].isna().all()
    engagement = leads.groupby("status")["page_views"].mean()
    assert engagement["converted"] > engagement["contacted"] > engagement["disqualified"]


def test_marketing_spend_covers_every_month_and_channel(demo_world: Engine) -> None:
    spend = read(demo_world, "SELECT * FROM marketing_spend")
    assert spend["channel"].nunique() == 6
    months = spend.groupby("channel")["period_start"].nunique()
    assert (months >= 35).all()
    assert (spend["amount_cents"] > 0).all()
