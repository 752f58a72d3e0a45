"""Answers about the customer base: RFM segments, segment moves, value metrics."""

from __future__ import annotations

from typing import Any

from assistant.offline.compose.fmt import bullets, days, join, money, num, pct, top

R = dict[str, Any]


def rfm_segment_accounts(r: R) -> str:
    """The accounts in one segment."""
    cur, seg = r["currency"], r["segment"]
    if not r["accounts"]:
        return f"{r['total_accounts']} of your {r['population_size']} customers are in **{seg}**."
    return join(
        f"{r['total_accounts']} of your {r['population_size']} customers are in **{seg}**: "
        f"{r['meaning']}",
        bullets(
            f"**{a['account_name']}** — {money(a['monetary_total'], cur)} over {a['frequency']} "
            f"orders, last order {a['last_order_date']}"
            for a in r["accounts"]
        ),
    )


def rfm_segment_distribution(r: R) -> str:
    """How the customers split by segment and tier."""
    cur = r["currency"]
    return join(
        f"{r['population_size']} customers, {money(r['total_revenue'], cur)} revenue:",
        bullets(
            f"{s['segment']}: {s['accounts']} ({pct(s['share'])}), {money(s['revenue'], cur)}"
            for s in r["segments"]
            if s["accounts"]
        ),
        "Tiers: "
        + ", ".join(f"{t['segment']} {t['accounts']} ({pct(t['share'])})" for t in r["tiers"]),
    )


def rfm_segment_moves(r: R) -> str:
    """Accounts that changed segment."""
    cur = r["currency"]
    if not r["moves"]:
        return f"No account changed segment since {r['since']}."
    return join(
        f"{r['moved_total']} of {r['compared_accounts']} customers moved segment "
        f"since {r['since']}:",
        bullets(
            f"**{m['account_name']}**: {m['from_segment']} → {m['to_segment']} "
            f"({money(m['revenue'], cur)})"
            for m in top(r["moves"], 8)
        ),
    )


def value_metrics(r: R) -> str:
    """Customer value, retention and service over a period."""
    cur, svc = r["currency"], r["service"]
    cac = r["cac"]
    return join(
        f"**{r['selection'].capitalize()}**, {r['start']} to {r['end']}:",
        bullets(
            [
                f"Revenue {money(r['revenue'], cur)} from {r['active_customers']['total']} active "
                f"customers ({r['orders']['total']} orders); gross profit "
                f"{money(r['gross_profit'], cur)}",
                f"Revenue per customer {money(r['revenue_per_customer']['value'], cur)}, "
                f"average order value {money(r['average_order_value']['value'], cur)}",
                f"Retention {pct(r['retention_rate']['value'])}, churn "
                f"{pct(r['churn_rate']['value'])} ({r['churned']['total']} churned), repurchase "
                f"{pct(r['repurchase_rate']['value'])}",
                f"New customers: {r['new_customers']['total']}",
                f"NPS {num(svc['nps']['value'], 0)}, CSAT {num(svc['csat_mean']['value'], 1)}, "
                f"{svc['complaints']['total']} complaints, median resolution "
                f"{num(svc['resolution_hours']['value'], 0)} hours",
                f"CAC {money(cac['value'], cur)}"
                if cac and cac["value"] is not None
                else f"CAC: {r['cac_note']}",
                f"Median sales cycle {days(r['sales_cycle_days']['value'])}",
            ]
        ),
        f"Churn rule: {r['churn_rule']}",
    )
