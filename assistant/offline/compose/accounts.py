"""Answers about accounts: lookup, 360 summary, RFM, corporate tree, duplicates, CLV."""

from __future__ import annotations

from typing import Any

from assistant.offline.compose.fmt import bullets, join, money, num, pct, top

R = dict[str, Any]


def find_account(r: R) -> str:
    """Matches of an account lookup."""
    cands = r["candidates"]
    if not cands:
        return (
            f"**{r['query']}** is not in your book: I can only see the accounts you own or manage."
        )
    if r["resolved_account_id"]:
        best = cands[0]
        return f"That is **{best['name']}** ({best['account_id']})."
    return "Several accounts match:\n" + bullets(
        f"{c['name']} ({c['account_id']})" for c in top(cands)
    )


def account_360(r: R) -> str:
    """One account at a glance."""
    cur, orders = r["currency"], r["orders"]
    where = ", ".join(x for x in (r["industry"], r["country"]) if x)
    head = f"**{r['name']}** ({where}), owned by {r['owner_name'] or 'nobody'}."
    buys = (
        f"Orders: {money(orders['total'], cur)} in total over {orders['order_count']} orders, "
        f"{money(orders['last_12_months'], cur)} over the past year"
        + (f"; last order {orders['last_order_date']}." if orders["last_order_date"] else ".")
    )
    value = []
    if r["rfm"]:
        value.append(f"RFM segment **{r['rfm']['segment']}**")
    if r["clv"]:
        value.append(f"formula CLV {money(r['clv']['formula_clv'], cur)}")
    deals = r["open_opportunities"]
    pipe = f"Open pipeline {money(r['open_pipeline'], cur)}" + (":" if deals else ".")
    pipe_lines = bullets(
        f"{d['name']} — {d['stage']}, {money(d['amount'], cur)}, closes {d['close_date']}"
        for d in top(deals)
    )
    service = r["service"]
    care = (
        f"Service: {service['open_tickets']} open tickets"
        + (f", average CSAT {num(service['average_csat'], 1)}" if service["average_csat"] else "")
        + (f", latest NPS {service['latest_nps']}." if service["latest_nps"] is not None else ".")
    )
    people = ", ".join(
        f"{c['name']} ({c['title']})" if c["title"] else c["name"] for c in top(r["contacts"], 4)
    )
    return join(
        head, buys, (", ".join(value) + ".") if value else None,
        pipe + ("\n" + pipe_lines if deals else ""),
        care, f"Contacts: {people}." if people else None,
    )  # fmt: skip


def account_rfm(r: R) -> str:
    """An account's RFM score and segment, with the figures behind it."""
    cur = r["currency"]
    return join(
        f"**{r['account_name']}** is in **{r['segment']}** (RFM {r['rfm_code']}).",
        f"Last order {r['recency_days']} days ago ({r['last_order_date']}), {r['frequency']} "
        f"orders, {money(r['monetary_total'], cur)} spent.",
        f"Why: {r['segment_meaning']}",
    )


def customer_tree(r: R) -> str:
    """An account's corporate group."""
    cur = r["currency"]
    nodes = sorted(r["nodes"], key=lambda n: -n["revenue_total"])
    lines = bullets(
        f"{n['name']} — {money(n['revenue_total'], cur)}"
        + ("" if n["is_customer"] else " (not buying)")
        for n in top(nodes, 8)
    )
    return join(
        r["summary"],
        f"Group revenue: {money(r['group_revenue_total'], cur)} in total, "
        f"{money(r['group_revenue_last_12_months'], cur)} over the past year.",
        lines,
    )


def duplicate_accounts(r: R) -> str:
    """Likely duplicate accounts."""
    if not r["pairs"]:
        return f"No likely duplicates among your {r['accounts_checked']} accounts."
    return join(
        f"{r['total_pairs']} likely duplicate pairs among {r['accounts_checked']} accounts:",
        bullets(
            f"{p['name_a']} ({p['account_id_a']}) and {p['name_b']} ({p['account_id_b']}): "
            + "; ".join(p["reasons"])
            for p in top(r["pairs"])
        ),
    )


def account_clv(r: R) -> str:
    """What one account is worth."""
    cur = r["currency"]
    predicted = (
        f"Over the next {r['horizon_weeks']} weeks the BG/NBD model predicts "
        f"{money(r['predicted_clv'], cur)} (P(alive) {pct(r['p_alive'])})."
        if r["predicted_clv"] is not None
        else (f"No model-based CLV: {r['model_issue']}" if r["model_issue"] else None)
    )
    return join(
        f"**{r['account_name']}** is worth {money(r['formula_clv'], cur)} (formula CLV).",
        predicted,
        f"Why: {money(r['annual_spend'], cur)} a year at a {pct(r['gross_margin'])} margin over "
        f"{num(r['expected_lifetime_years'], 1)} expected years; {money(r['total_spend'], cur)} "
        f"spent so far.",
    )


def top_clv_accounts(r: R) -> str:
    """The most valuable customers."""
    cur = r["currency"]
    if not r["accounts"]:
        return "No customers with enough order history to value yet."
    return join(
        f"Your most valuable customers (predicted {r['horizon_weeks']}-week CLV):",
        bullets(
            f"**{a['account_name']}** — {money(a['predicted_clv'], cur)} "
            f"(P(alive) {pct(a['p_alive'])})"
            for a in r["accounts"]
        ),
    )


def clv_model_fit(r: R) -> str:
    """The fitted CLV models."""
    return join(
        f"BG/NBD fitted on {r['n_customers']} customers ({r['n_repeat_buyers']} repeat buyers, "
        f"time unit {r['time_unit']}): r = {num(r['r'], 3)}, alpha = {num(r['alpha'], 3)}, "
        f"a = {num(r['a'], 3)}, b = {num(r['b'], 3)}.",
        f"Gamma-Gamma: p = {num(r['p'], 3)}, q = {num(r['q'], 3)}, gamma = {num(r['gamma'], 3)}; "
        f"mean order value {num(r['population_mean_order_value'], 2)}.",
    )
