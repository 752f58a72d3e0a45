"""``customer_tree``: an account's group (parent and subsidiaries), who buys, and coverage.

The group is found with two recursive CTEs (up to the root parent, then down to every
subsidiary; ``UNION`` stops on cyclic parent links), then one GROUP BY gives the
revenue of its members (:func:`tools.account_360.order_totals`).

Scope: the tree lists only the accounts the caller may see; other members of the group
are counted in ``hidden_accounts`` and nothing else about them is shown (no id, name,
owner, revenue or customer status). Coverage ratios are over the visible members; a
branch's revenue sums the visible accounts below it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select as sa_select
from sqlmodel import col

from crm.models import Account, User
from tools.account_360 import order_totals
from tools.catalog import tool
from tools.context import ToolContext
from tools.records import cents_to_money, get_account


class TreeNode(BaseModel):
    """One visible account of the group."""

    account_id: str = Field(description="Account id.")
    name: str = Field(description="Account name.")
    parent_id: str | None = Field(description="Parent id (null for the root or a hidden parent).")
    depth: int = Field(description="Levels below the group's root (root = 0).")
    owner_name: str | None = Field(description="Owning user's name.")
    is_customer: bool = Field(description="Whether it has ordered by as_of.")
    revenue_total: float = Field(description="Its own revenue up to as_of, currency units.")
    revenue_last_12_months: float = Field(description="Its own revenue of the last 12 months.")
    branch_revenue_total: float = Field(
        description="Revenue of it and every visible account below it."
    )


class CustomerTree(BaseModel):
    """An account's corporate group with customer coverage and revenue per branch."""

    account_id: str = Field(description="The account asked about.")
    root_account_id: str | None = Field(description="The group's root, if visible to you.")
    as_of: dt.date = Field(description="Analysis date.")
    currency: str = Field(description="Currency of the money figures.")
    visible_accounts: int = Field(description="Group members you may see (listed in nodes).")
    hidden_accounts: int = Field(description="Group members owned outside your scope (not shown).")
    customers: int = Field(description="Visible members that have ordered.")
    coverage_ratio: float = Field(description="customers / visible_accounts.")
    subsidiaries: int = Field(description="Visible members other than the root.")
    customer_subsidiaries: int = Field(description="Visible subsidiaries that have ordered.")
    summary: str = Field(description="One sentence, e.g. 'we sell to 3 of Acme's 5 subsidiaries'.")
    group_revenue_total: float = Field(description="Revenue of the visible members.")
    group_revenue_last_12_months: float = Field(description="Their revenue, last 12 months.")
    nodes: list[TreeNode] = Field(description="Visible members, root first, by depth then name.")


def group_members(ctx: ToolContext, account_id: str) -> list[Any]:
    """Every account in ``account_id``'s group: rows (id, name, parent_id, owner_id, owner)."""
    acc = Account.__table__.c  # type: ignore[attr-defined]
    up = sa_select(acc.id, acc.parent_id).where(acc.id == account_id).cte("up", recursive=True)
    up = up.union(sa_select(acc.id, acc.parent_id).join(up, acc.id == up.c.parent_id))
    chain = dict(ctx.session.execute(sa_select(up.c.id, up.c.parent_id)).all())
    roots = sorted(id_ for id_, parent in chain.items() if parent is None or parent not in chain)
    root = roots[0] if roots else min(chain)  # a cycle has no root: start anywhere on it
    down = sa_select(acc.id, acc.parent_id).where(acc.id == root).cte("down", recursive=True)
    down = down.union(sa_select(acc.id, acc.parent_id).join(down, acc.parent_id == down.c.id))
    stmt = (
        sa_select(acc.id, acc.name, acc.parent_id, acc.owner_id, col(User.name))
        .join(down, acc.id == down.c.id)
        .outerjoin(User, col(User.id) == acc.owner_id)
    )
    return list(ctx.session.execute(stmt).all())


def _depths(parents: dict[str, str | None]) -> dict[str, int]:
    depths: dict[str, int] = {}
    for start in parents:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parents and node not in depths and node not in path:
            path.append(node)
            node = parents[node]
        base = depths.get(node, -1) if node is not None else -1
        for offset, item in enumerate(reversed(path), start=1):
            depths[item] = base + offset
    return depths


def _branch_totals(
    parents: dict[str, str | None], depths: dict[str, int], own: dict[str, int]
) -> dict[str, int]:
    """Own cents plus every descendant's (deepest first, so each child is complete)."""
    branch = {node: own.get(node, 0) for node in parents}
    for node in sorted(parents, key=lambda n: -depths.get(n, 0)):
        parent = parents[node]
        if parent in branch and depths.get(parent, 0) < depths.get(node, 0):
            branch[parent] += branch[node]
    return branch


@tool
def customer_tree(ctx: ToolContext, *, account_id: str) -> CustomerTree:
    """Show an account's corporate group: parent, subsidiaries, which buy from us, and revenue.

    Use for "who else in the Acme group do we sell to", "how much does the group spend",
    or to find cross-sell targets among a customer's subsidiaries.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        account_id: Any account of the group (resolve names with find_account first).
    """
    get_account(ctx, account_id)
    members = group_members(ctx, account_id)
    parents = {m.id: m.parent_id for m in members}
    depths = _depths(parents)
    visible = [m for m in members if ctx.scope.allows(m.owner_id)]
    totals = order_totals(ctx, [m.id for m in visible])
    own = {str(k): int(v) for k, v in totals["total_cents"].items()}
    branch = _branch_totals(parents, depths, own)
    shown = {m.id for m in visible}
    nodes = sorted(
        (
            TreeNode(
                account_id=m.id,
                name=m.name,
                parent_id=m.parent_id if m.parent_id in shown else None,
                depth=depths.get(m.id, 0),
                owner_name=m[4],
                is_customer=m.id in own,
                revenue_total=cents_to_money(own.get(m.id, 0)),
                revenue_last_12_months=cents_to_money(int(totals["last_12m_cents"].get(m.id, 0))),
                branch_revenue_total=cents_to_money(branch[m.id]),
            )
            for m in visible
        ),
        key=lambda n: (n.depth, n.name, n.account_id),
    )
    return _summarise(ctx, account_id, nodes, hidden=len(members) - len(visible))


def _summarise(
    ctx: ToolContext, account_id: str, nodes: list[TreeNode], hidden: int
) -> CustomerTree:
    root = nodes[0] if nodes and nodes[0].depth == 0 else None
    subs = [n for n in nodes if n is not root]
    customers = sum(n.is_customer for n in nodes)
    customer_subs = sum(n.is_customer for n in subs)
    group = root.name if root else "the group"
    summary = f"We sell to {customer_subs} of {group}'s {len(subs)} subsidiaries you can see"
    summary += f" ({customers} of {len(nodes)} accounts including the parent)."
    if hidden:
        summary += f" {hidden} more group accounts are owned outside your scope."
    return CustomerTree(
        account_id=account_id,
        root_account_id=root.account_id if root else None,
        as_of=ctx.as_of,
        currency=ctx.currency,
        visible_accounts=len(nodes),
        hidden_accounts=hidden,
        customers=customers,
        coverage_ratio=round(customers / len(nodes), 4),
        subsidiaries=len(subs),
        customer_subsidiaries=customer_subs,
        summary=summary,
        group_revenue_total=round(sum(n.revenue_total for n in nodes), 2),
        group_revenue_last_12_months=round(sum(n.revenue_last_12_months for n in nodes), 2),
        nodes=nodes,
    )
