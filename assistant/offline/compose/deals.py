"""Answers about deals: win odds, next actions, health, the full review, deal lookup."""

from __future__ import annotations

from typing import Any

from assistant.offline.compose.fmt import bullets, join, money, pct, top

R = dict[str, Any]


def win_probability(r: R) -> str:
    """The chance a deal is won, with the factors."""
    ups = bullets(f["text"] for f in top(r["factors_up"], 3))
    downs = bullets(f["text"] for f in top(r["factors_down"], 3))
    return join(
        f"**{pct(r['probability'])}** chance to win {r['opportunity_id']} ({r['stage']}).",
        f"Helping:\n{ups}" if ups else None,
        f"Hurting:\n{downs}" if downs else None,
        r["calibration_note"],
    )


def next_best_actions(r: R) -> str:
    """Ranked next actions."""
    if not r["actions"]:
        return f"{r['total_actions']} actions: nothing urgent fired for that."
    return join(
        f"Top actions ({r['total_actions']} in all):",
        "\n".join(
            f"{i}. {a['message']} — why: {a['reason']}" for i, a in enumerate(top(r["actions"]), 1)
        ),
    )


def deal_health(r: R) -> str:
    """A deal's health score and the checklist gaps."""
    missing = [i for i in r["items"] if i["met"] is False]
    return join(
        f"**{r['opportunity_name']}** has a health score of **{r['score']}** "
        f"({r['points_met']} of {r['points_assessable']} points).",
        ("Missing:\n" + bullets(f"{i['label']}: {i['detail']}" for i in missing))
        if missing
        else None,
        ("Committee gaps:\n" + bullets(g["message"] for g in r["gaps"])) if r["gaps"] else None,
    )


def deal_review(r: R) -> str:
    """The facts, odds, health and risks of one deal."""
    d, cur = r["deal"], r["deal"]["currency"]
    closes = f", closes {d['close_date']}" if d["close_date"] else ""
    win = f"Win chance **{pct(r['win']['probability'])}**." if r["win"] else r["win_note"]
    risks = bullets(f"{x['severity']}: {x['message']}" for x in top(r["risks"]))
    return join(
        f"**{d['name']}** — {d['account_name'] or 'no account'}, owned by {d['owner_name']}: "
        f"{money(d['amount'], cur)} in {d['stage']}{closes}; {d['days_in_stage']} days in stage.",
        " ".join(x for x in (win, f"Health score {r['health']['score']}.") if x),
        f"Next step: {d['next_step']}"
        + (f" ({d['next_step_date']})" if d["next_step_date"] else "")
        if d["next_step"]
        else "No next step recorded.",
        f"Risks:\n{risks}" if risks else None,
    )


def find_opportunity(r: R) -> str:
    """Deals matching a lookup."""
    cands = r["candidates"]
    if not cands:
        return f"No deal matching **{r['query']}** in your book."
    return "Matching deals:\n" + bullets(
        f"**{c['name']}** ({c['opportunity_id']}) — {c['stage']}, {money(c['amount'])}"
        for c in top(cands)
    )
