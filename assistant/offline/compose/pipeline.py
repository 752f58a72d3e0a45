"""Answers about the pipeline: stages, funnel, reps, velocity, stalled/slipped deals, forecast."""

from __future__ import annotations

from typing import Any

from assistant.offline.compose.fmt import bullets, count, days, join, money, pct, top

R = dict[str, Any]


def pipeline_by_stage(r: R) -> str:
    """The open pipeline by stage."""
    cur = r["currency"]
    if not r["total_count"]:
        return "No open deals in that pipeline."
    return join(
        f"Open pipeline: {count(r['total_count'], 'deal')} worth {money(r['total_amount'], cur)} "
        f"({money(r['total_weighted_amount'], cur)} weighted).",
        bullets(
            f"{s['stage']}: {count(s['count'], 'deal')}, {money(s['amount'], cur)} "
            f"({money(s['weighted_amount'], cur)} weighted)"
            for s in r["stages"]
            if s["count"]
        ),
    )


def funnel_conversion(r: R) -> str:
    """Stage-to-stage conversion and win rate."""
    span = f" ({r['start'] or '…'} to {r['end'] or '…'})"
    head = f"Win rate {pct(r['win_rate'])} over {count(r['total_deals'], 'deal')}{span}."
    parts = [head]
    for group in top(r["groups"], 6):
        steps = ", ".join(
            f"{s['stage']} → next {pct(s['conversion_to_next'])}"
            for s in group["steps"]
            if s["conversion_to_next"] is not None
        )
        label = (
            f"**{group['group']}**: win rate {pct(group['win_rate'])}; " if group["group"] else ""
        )
        parts.append(label + steps)
    return join(*parts)


def rep_performance(r: R) -> str:
    """Reps ranked by won revenue."""
    cur = r["currency"]
    if not r["reps"]:
        return "No closed deals for those reps in that period."
    return join(
        "Reps by won revenue:",
        bullets(
            f"**{p['name']}** ({p['team']}) — {money(p['won_revenue'], cur)} won, "
            f"{count(p['won_deals'], 'deal')}, win rate {pct(p['win_rate'])}"
            for p in top(r["reps"], 10)
        ),
    )


def sales_velocity(r: R) -> str:
    """How fast deals move."""
    cur = r["currency"]
    return join(
        f"Won deals take {days(r['cycle_days_median'])} (median) from creation to close; win rate "
        f"{pct(r['win_rate'])}, average won deal {money(r['average_won_amount'], cur)}.",
        bullets(
            f"{s['stage']}: {days(s['median_days'])} median, {days(s['p75_days'])} at p75"
            for s in r["stages"]
        ),
    )


def stalled_deals(r: R) -> str:
    """Open deals that stalled."""
    if not r["deals"]:
        return "No stalled deals: everything moved or had activity recently."
    return join(
        f"{count(r['total_count'], 'stalled deal')} "
        f"worth {money(r['total_amount'], r['currency'])}:",
        bullets(
            f"**{d['name']}** ({d['stage']}, {money(d['amount'], r['currency'])}): {d['reason']}"
            for d in top(r["deals"])
        ),
    )


def slipped_deals(r: R) -> str:
    """Open deals whose close date passed or moved."""
    if not r["deals"]:
        return "No slipped deals: every close date is ahead and unchanged."
    return join(
        f"{count(r['total_count'], 'slipped deal')} "
        f"worth {money(r['total_amount'], r['currency'])}:",
        bullets(
            f"**{d['name']}** ({d['stage']}, {money(d['amount'], r['currency'])}): {d['reason']}"
            for d in top(r["deals"])
        ),
    )


def forecast(r: R) -> str:
    """Forecast for a period."""
    cur, c = r["currency"], r["company"]
    rows = r["reps"] if len(r["reps"]) > 1 else []
    return join(
        f"Forecast for {r['period']} ({r['start']} to {r['end']}): "
        f"**{money(c['forecast'], cur)}**.",
        bullets(
            [
                f"Won so far {money(c['won'], cur)}",
                f"Commit {money(c['commit'], cur)}, best case {money(c['best_case'], cur)}",
                f"Open pipeline {money(c['open_pipeline'], cur)} "
                f"({money(c['historical_weighted'], cur)} weighted by historical win rates)",
            ]
        ),
        ("By rep:\n" + bullets(f"{p['key']}: {money(p['forecast'], cur)}" for p in top(rows, 10)))
        if rows
        else None,
    )
