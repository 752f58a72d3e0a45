"""Signals frames for next-best-action: one row per open deal or per account, vectorised.

Deal columns: opportunity_id, deal, account_id, account, stage, amount, amount_text,
probability (configured stage probability), value_at_risk (amount × probability),
close_date, days_to_close, close_date_passed, close_date_pushes, is_stalled,
stalled_reason, no_next_step, has_role_facts, has_decision_maker, has_champion,
champion and blocker (names, '' when none), contact (who to talk to), via (the
account's preferred channel, e.g. " (prefers WhatsApp)"), evidence (record ids).

Account columns: account_id, account, segment (RFM), value and value_text (predicted CLV,
or lifetime revenue when no CLV model fits), days_since_contact (last call, email or
meeting; since creation when none), contact, via, evidence.

Roles are merged per deal and person with :func:`crm.insights.vote`, like the power map.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func
from sqlalchemy import select as sa_select
from sqlmodel import col

from crm.insights import CommitteeMember, role_fact_rows, vote, with_weights
from crm.models import Account, Activity, ContactRoleFact, Opportunity, PreferenceFact
from tools.clv import clv_table
from tools.context import ToolContext
from tools.deal_checks import TWO_WAY_KINDS
from tools.errors import ToolError
from tools.pipeline_data import fetch_frame, stages_frame
from tools.rfm import rfm_table

COMMITTEE_COLUMNS = (
    "has_role_facts", "has_decision_maker", "has_champion", "champion", "blocker", "contact",
    "notes",
)  # fmt: skip
KnownCommittee = tuple[pd.DataFrame, list[CommitteeMember]]
"""One deal's weighted role facts and the committee merged from them."""
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹"}


def money_text(amount: float, currency: str) -> str:
    """Short money for sentences: €120k, €1.2M, €950."""
    symbol = _SYMBOLS.get(currency, currency + " ")
    if abs(amount) >= 1e6:
        return f"{symbol}{amount / 1e6:.1f}M"
    if abs(amount) >= 1e3:
        return f"{symbol}{amount / 1e3:.0f}k"
    return f"{symbol}{amount:.0f}"


def deal_signals(
    ctx: ToolContext, deals: pd.DataFrame, committee: KnownCommittee | None = None
) -> pd.DataFrame:
    """Signals of open deals (rows of :func:`tools.pipeline.open_deals_frame`).

    ``committee``: when ``deals`` is one deal, its :func:`crm.insights.role_facts` and the
    committee merged from them, if the caller already has them (they are then neither
    queried nor voted again).
    """
    if deals.empty:
        return pd.DataFrame()
    ids = deals["id"].tolist()
    extra = fetch_frame(
        ctx,
        sa_select(
            col(Opportunity.id), col(Opportunity.next_step), col(Opportunity.next_step_date),
            col(Account.name).label("account"),
        ).outerjoin(Account, col(Account.id) == Opportunity.account_id)
        .where(col(Opportunity.id).in_(ids)),
    ).set_index("id").reindex(ids)  # fmt: skip
    close = pd.to_datetime(deals["close_date"]).dt.date
    frame = pd.DataFrame(
        {
            "opportunity_id": ids,
            "deal": deals["name"].to_numpy(),
            "account_id": deals["account_id"].to_numpy(),
            "account": extra["account"].fillna("the account").to_numpy(),
            "stage": deals["stage"].to_numpy(),
            "amount": deals["amount"].to_numpy(),
            "close_date": close.to_numpy(),
            "close_date_pushes": deals["close_date_pushes"].to_numpy(),
            "is_stalled": deals["is_stalled"].to_numpy(dtype=bool),
            "stalled_reason": deals["stalled_reason"].to_numpy(),
        }
    )
    frame["probability"] = frame["stage"].map(stages_frame(ctx)["probability"]).fillna(0.0)
    frame["value_at_risk"] = (frame["amount"] * frame["probability"]).round(2)
    frame["amount_text"] = [money_text(a, ctx.currency) for a in frame["amount"]]
    frame["days_to_close"] = (pd.to_datetime(close) - pd.Timestamp(ctx.as_of)).dt.days.to_numpy()
    frame["close_date_passed"] = (frame["days_to_close"] < 0).to_numpy(dtype=bool)
    dated = pd.to_datetime(extra["next_step_date"]) >= pd.Timestamp(ctx.as_of)
    has_step = extra["next_step"].fillna("").str.strip().ne("")
    frame["no_next_step"] = ~(has_step & dated).to_numpy(dtype=bool)
    frame = frame.join(_committee(ctx, frame, committee), on="opportunity_id")
    frame["contact"] = frame["contact"].where(frame["contact"] != "", "your contact at " +
                                              frame["account"])  # fmt: skip
    frame["via"] = _via(frame["account_id"], _channels(ctx, frame["account_id"]))
    frame["evidence"] = [[oid, *notes] for oid, notes in zip(ids, frame["notes"], strict=True)]
    return frame.drop(columns="notes")


def _committee(
    ctx: ToolContext, deals: pd.DataFrame, known: KnownCommittee | None = None
) -> pd.DataFrame:
    """Per deal: whether roles are known, DM/champion flags, champion/blocker/contact names.

    ``known``: the weighted role facts (:func:`crm.insights.role_facts`) of the only deal
    in ``deals`` and the committee merged from them (:func:`crm.insights.committee_of`),
    already built by the caller; the merged roles are then read off the committee
    instead of being voted again.
    """
    if known is None:
        facts = _role_facts(ctx, deals)
    elif len(deals) == 1:
        facts = known[0].assign(opportunity_id=deals["opportunity_id"].iloc[0])
    else:
        raise ValueError("a known committee needs exactly one deal")
    if facts.empty:
        return _fill(pd.DataFrame(columns=list(COMMITTEE_COLUMNS)), deals)
    people = _voted(facts) if known is None else _members(facts, known[1])
    return _fill(_per_deal(people, facts), deals)


def _voted(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per deal and person: merged role, influence, stance and name, by person key."""
    key = ["opportunity_id", "member"]
    people = vote(facts, key, "role").drop_duplicates(key).set_index(key)
    for column in ("influence", "stance"):
        ranked = vote(facts, key, column).drop_duplicates(key).set_index(key)[column]
        people[column] = ranked.reindex(people.index)
    names = facts.drop_duplicates(key).set_index(key)["name"]
    people["name"] = names.reindex(people.index)
    return people.reset_index()


def _members(facts: pd.DataFrame, members: list[CommitteeMember]) -> pd.DataFrame:
    """:func:`_voted` of one deal's facts, read off the committee merged from them.

    The committee merges by the same vote; each member is matched back to its person key
    through the contact id and name of the person's first fact (unique per key).
    """
    first = facts.drop_duplicates("member")
    key_of = {
        (None if pd.isna(contact) else str(contact), str(name)): str(member)
        for member, contact, name in zip(first["member"], first["contact_id"], first["name"],
                                         strict=True)
    }  # fmt: skip
    people = pd.DataFrame(
        {
            "opportunity_id": facts["opportunity_id"].iloc[0],
            "member": [key_of[(m.contact_id, m.name)] for m in members],
            "role": [m.role for m in members],
            "influence": [m.influence for m in members],
            "stance": [m.stance for m in members],
            "name": [m.name for m in members],
        }
    )
    return people.sort_values("member").reset_index(drop=True)


def _role_facts(ctx: ToolContext, deals: pd.DataFrame) -> pd.DataFrame:
    """Weighted role facts of the deals, each tagged with its deal (shared ones per deal)."""
    accounts = deals["account_id"].dropna().unique().tolist()
    # Two indexed queries (the deals' own notes, their accounts' unassigned notes): one
    # OR of the two would scan the table.
    own = role_fact_rows(
        ctx.session,
        [col(ContactRoleFact.opportunity_id).in_(deals["opportunity_id"].tolist())],
        before=ctx.as_of_end,
    )
    # "tied to no deal" as a CASE, not a bare IS NULL: SQLite would otherwise walk the
    # opportunity_id index over every unassigned fact of the store (≈ 130 ms per book at
    # demo scale 500) instead of the account_id index (≈ 15 ms)
    unassigned = case((col(ContactRoleFact.opportunity_id).is_(None), 1), else_=0) == 1
    shared = role_fact_rows(
        ctx.session, [col(ContactRoleFact.account_id).in_(accounts), unassigned],
        before=ctx.as_of_end,
    )  # fmt: skip
    if own.empty and shared.empty:
        return own
    shared = shared.drop(columns="opportunity_id").merge(
        deals[["opportunity_id", "account_id"]], on="account_id"
    )
    return with_weights(pd.concat([own, shared], ignore_index=True), ctx.as_of_end)


def _per_deal(people: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """The committee columns per deal; ``people`` sorted by deal and person key.

    Champion, blocker and contact are the first named person (in person-key order) with
    that role; one pass over the people instead of a group-by per column.
    """
    rows: dict[str, dict[str, Any]] = {}
    columns = ("opportunity_id", "role", "stance", "influence", "name")
    for deal, role, stance, influence, name in zip(*(people[c] for c in columns), strict=True):
        row = rows.setdefault(deal, dict.fromkeys(COMMITTEE_COLUMNS[3:6]))
        row["has_decision_maker"] = row.get("has_decision_maker") or role == "decision_maker"
        row["has_champion"] = row.get("has_champion") or role == "champion"
        if pd.isna(name):
            continue
        blocking = (role == "blocker" or stance == "opposed") and influence == "high"
        for column, hit in (
            ("champion", role == "champion"),
            ("blocker", blocking),
            ("contact", role in ("champion", "decision_maker", "influencer")),
        ):
            if hit and row[column] is None:
                row[column] = name  # fmt: skip
    notes: dict[str, set[str]] = {}
    for deal, note in zip(facts["opportunity_id"], facts["activity_id"], strict=True):
        notes.setdefault(deal, set()).add(note)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "opportunity_id"
    out["has_role_facts"] = True
    out["notes"] = [sorted(notes.get(deal, ())) for deal in out.index]
    return out[list(COMMITTEE_COLUMNS)]


def _fill(per_deal: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    out = per_deal.reindex(deals["opportunity_id"])
    for column in ("has_role_facts", "has_decision_maker", "has_champion"):
        out[column] = out[column].fillna(False).astype(bool)
    for column in ("champion", "blocker", "contact"):
        out[column] = out[column].fillna("").astype(str)
    out["notes"] = [n if isinstance(n, list) else [] for n in out["notes"]]
    return out


def _channels(ctx: ToolContext, account_ids: pd.Series) -> pd.Series:
    """Each account's winning communication preference as ' (prefers WhatsApp)'."""
    stmt = sa_select(
        col(PreferenceFact.account_id), col(PreferenceFact.activity_id),
        col(PreferenceFact.value), col(PreferenceFact.occurred_at),
    ).where(
        col(PreferenceFact.account_id).in_(account_ids.dropna().unique().tolist()),
        col(PreferenceFact.category) == "communication",
        col(PreferenceFact.occurred_at) < ctx.as_of_end,
    )  # fmt: skip
    facts = fetch_frame(ctx, stmt)
    if facts.empty:
        return pd.Series(dtype=object)
    facts = with_weights(facts, ctx.as_of_end)
    best = vote(facts, ["account_id"], "value").drop_duplicates("account_id")
    return " (" + best.set_index("account_id")["value"].astype(str) + ")"


def _via(account_ids: pd.Series, channels: pd.Series) -> pd.Series:
    return account_ids.map(channels).astype(object).fillna("")


def account_signals(ctx: ToolContext, account_ids: list[str]) -> pd.DataFrame:
    """Signals of the given (visible) accounts that have an RFM row."""
    if not account_ids:
        return pd.DataFrame()
    rfm = rfm_table(ctx).reindex(account_ids).dropna(subset=["segment"])
    if rfm.empty:
        return pd.DataFrame()
    ids = rfm.index.tolist()
    last: Any = (
        sa_select(col(Account.id), col(Account.name).label("account"), col(Account.created_at),
                  func.max(Activity.occurred_at).label("last_contact"))
        .outerjoin(Activity, and_(col(Activity.account_id) == Account.id,
                                  col(Activity.kind).in_(TWO_WAY_KINDS),
                                  col(Activity.occurred_at) < ctx.as_of_end))
        .where(col(Account.id).in_(ids))
        .group_by(col(Account.id), col(Account.name), col(Account.created_at))
    )  # fmt: skip
    info = fetch_frame(ctx, last).set_index("id").reindex(ids)
    since = pd.to_datetime(info["last_contact"], utc=True).fillna(
        pd.to_datetime(info["created_at"], utc=True)
    )
    value = _value(ctx, rfm)
    return pd.DataFrame(
        {
            "account_id": ids,
            "account": info["account"].to_numpy(),
            "segment": rfm["segment"].astype(str).to_numpy(),
            "value": value.to_numpy(),
            "value_text": [money_text(v, ctx.currency) for v in value],
            "days_since_contact": (pd.Timestamp(ctx.as_of_end) - since).dt.days.to_numpy(),
            "contact": "your contact at " + info["account"].astype(str).to_numpy(),
            "via": _via(pd.Series(ids), _channels(ctx, pd.Series(ids))).to_numpy(),
            "evidence": [[i] for i in ids],
        }
    )


def _value(ctx: ToolContext, rfm: pd.DataFrame) -> pd.Series:
    """Predicted CLV per account, or lifetime revenue when no CLV model fits the book."""
    try:
        clv = clv_table(ctx)["predicted_clv"].reindex(rfm.index)
    except ToolError:
        return rfm["monetary_total"].astype(float).round(2)
    return clv.fillna(rfm["monetary_total"]).astype(float).round(2)
