"""A short narrative of an account, written only from the figures of its account 360.

Every number in the text is a field of :class:`tools.account_360.Account360`, so an API
client can trace each one back, exactly like the assistant's answers.
"""

from __future__ import annotations

from tools.account_360 import Account360


def _money(amount: float, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def account_narrative(view: Account360) -> str:
    """Three to five plain sentences: who, what they bought, value, pipeline, service."""
    cur = view.currency
    who = f"{view.name} ({view.account_id})"
    where = ", ".join(p for p in (view.industry, view.country) if p)
    owner = f", owned by {view.owner_name}" if view.owner_name else ""
    parts = [f"{who}{f' — {where}' if where else ''}{owner}."]
    orders = view.orders
    if orders.order_count:
        parts.append(
            f"It placed {orders.order_count} orders worth {_money(orders.total, cur)} "
            f"(last order {orders.last_order_date}; {_money(orders.last_12_months, cur)} "
            f"in the 12 months to {view.as_of})."
        )
    else:
        parts.append(f"It has no orders up to {view.as_of}.")
    if view.rfm:
        parts.append(f"RFM segment: {view.rfm.segment} ({view.rfm.tier} tier).")
    if view.clv:
        parts.append(f"Formula CLV: {_money(view.clv.formula_clv, cur)}.")
    if view.open_opportunities:
        parts.append(
            f"{len(view.open_opportunities)} open deal(s) worth "
            f"{_money(view.open_pipeline, cur)} in total."
        )
    if view.service.open_tickets:
        parts.append(f"{view.service.open_tickets} service ticket(s) still open.")
    return " ".join(parts)
