"""Activities (calls, e-mails, meetings, notes, tasks) and the ground truth of every note.

When and about what is planned vectorised (numpy); the text of each note is composed by
:class:`crm.demo.compose.Composer`, and each statement becomes a ``note_labels`` row.
"""

from __future__ import annotations

import numpy as np

from crm.demo import phrases as en
from crm.demo import phrases_zh as zh
from crm.demo.compose import Composer, Label, NoteSpec, Person
from crm.demo.config import DAY, Columns, DemoConfig, ids, or_none, work_time

KINDS = np.array(["call", "email", "meeting", "note", "task"], dtype=object)
KIND_SHARES = [0.3, 0.3, 0.18, 0.14, 0.08]
ACCOUNT_NOTES = {
    # expected account-level activities (not tied to a deal) per account
    "loyal_high_value": 8.0,
    "steady": 5.0,
    "growing_new": 6.0,
    "churned": 4.0,
    "seasonal": 4.0,
    "one_off": 2.0,
    "prospect": 2.0,
}
CHINESE_SHARE = 0.8
"""Share of notes on accounts in China written in Chinese (~3% of all notes)."""
ZH_ONLY = {"prefers WeChat", "needs Chinese UI", "China hosting", "go-live by year end"}


def _plan(cfg: DemoConfig, accounts: Columns, deals: Columns) -> Columns:
    """Account, deal and time of every activity, sorted by time."""
    rng = cfg.rng("activities")
    created = deals["created_at"]
    deal_end = np.minimum(deals["_end"], cfg.today).astype("datetime64[s]") + np.timedelta64(
        18 * 3600, "s"
    )
    open_days = (deal_end - created) / np.timedelta64(1, "D")
    per_deal = np.minimum(12, 1 + rng.poisson(3.0 + open_days / 60))
    deal = np.repeat(np.arange(len(created)), per_deal)
    lam = np.array([ACCOUNT_NOTES[b] for b in accounts["_behaviour"]])
    per_account = rng.poisson(lam)
    account = np.repeat(np.arange(len(lam)), per_account)
    lo = np.maximum(accounts["created_at"][account], cfg.start.astype("datetime64[s]"))
    last = np.minimum(accounts["_last"][account] + 60 * DAY, cfg.today)
    hi = np.maximum(last.astype("datetime64[s]") + np.timedelta64(18 * 3600, "s"), lo)
    start = np.concatenate([created[deal], lo])
    stop = np.concatenate([np.maximum(deal_end[deal], created[deal]), hi])
    span = (stop - start).astype(np.int64)
    when = start + (rng.random(len(start)) * span).astype("timedelta64[s]")
    when = np.clip(work_time(rng, when), start, cfg.end - np.timedelta64(1, "s"))
    deal_idx = np.concatenate([deal, np.full(len(account), -1)])
    account_idx = np.concatenate([deals["_account"][deal], account])
    order = np.argsort(when, kind="stable")
    return {
        "occurred_at": when[order],
        "_deal": deal_idx[order],
        "_account": account_idx[order],
        "kind": KINDS[rng.choice(len(KINDS), size=len(when), p=KIND_SHARES)],
        "_chinese": rng.random(len(when)) < CHINESE_SHARE,
    }


def _preferences(cfg: DemoConfig, accounts: Columns) -> list[dict[str, str]]:
    """Each account's value per preference category (consistent across its notes)."""
    rng = cfg.rng("preferences")
    china = accounts["country"] == "China"
    pools = {cat: [v for v in values if v not in ZH_ONLY] for cat, values in en.PREFERENCES.items()}
    zh_pools = {cat: [v for v, _ in options] for cat, options in zh.PREFERENCES_ZH.items()}
    draws = rng.integers(0, 1 << 30, size=(len(china), len(pools)))
    return [
        {
            cat: (zh_pools if china[a] else pools)[cat][
                draws[a, j] % len((zh_pools if china[a] else pools)[cat])
            ]
            for j, cat in enumerate(pools)
        }
        for a in range(len(china))
    ]


def _people(contacts: Columns, n_accounts: int) -> list[list[Person]]:
    """The contacts of each account as :class:`Person` records."""
    people: list[list[Person]] = [[] for _ in range(n_accounts)]
    for row, a in enumerate(contacts["_account"]):
        people[a].append(
            Person(
                row=row,
                full=contacts["name"][row],
                given=contacts["_given"][row],
                family=contacts["_family"][row],
                title=contacts["title"][row],
                gender=contacts["_gender"][row],
                role=contacts["_role"][row],
                stance=contacts["_stance"][row],
            )
        )
    return people


def make_activities(
    cfg: DemoConfig, accounts: Columns, contacts: Columns, deals: Columns, hidden_dm: np.ndarray
) -> tuple[Columns, Columns]:
    """Generate the activities and their note labels."""
    plan = _plan(cfg, accounts, deals)
    people = _people(contacts, len(accounts["id"]))
    prefs = _preferences(cfg, accounts)
    composer = Composer(int(cfg.rng("compose").integers(0, 2**31)))
    activity_ids = ids("ACT", len(plan["kind"]))
    china = accounts["country"] == "China"
    subjects, bodies, primary = [], [], np.full(len(activity_ids), -1)
    label_rows: list[tuple[int, Label]] = []
    for i, (a, d, kind) in enumerate(
        zip(plan["_account"], plan["_deal"], plan["kind"], strict=True)
    ):
        spec = NoteSpec(
            kind=kind,
            company=accounts["name"][a] if a >= 0 else "the prospect",
            people=people[a] if a >= 0 else [],
            prefs=prefs[a] if a >= 0 else prefs[0],
            hidden_dm=bool(a >= 0 and hidden_dm[a]),
            chinese=bool(a >= 0 and china[a] and plan["_chinese"][i]),
            competitor=deals["_competitor"][d] if d >= 0 else None,
            budget=deals["_budget"][d] if d >= 0 else None,
        )
        subject, body, primary[i], labels = composer.note(spec)
        subjects.append(subject)
        bodies.append(body)
        label_rows.extend((i, label) for label in labels)
    deal = plan["_deal"]
    owner = np.where(
        deal >= 0,
        deals["owner_id"][np.maximum(deal, 0)],
        accounts["owner_id"][np.maximum(plan["_account"], 0)],
    )
    activities = {
        "id": activity_ids,
        "kind": plan["kind"],
        "occurred_at": plan["occurred_at"],
        "account_id": or_none(
            plan["_account"] >= 0, accounts["id"][np.maximum(plan["_account"], 0)]
        ),
        "opportunity_id": or_none(deal >= 0, deals["id"][np.maximum(deal, 0)]),
        "contact_id": or_none(primary >= 0, contacts["id"][np.maximum(primary, 0)]),
        "user_id": owner,
        "subject": np.array(subjects, dtype=object),
        "body": np.array(bodies, dtype=object),
    }
    return activities, _labels(activity_ids, contacts, label_rows)


def _labels(activity_ids: np.ndarray, contacts: Columns, rows: list[tuple[int, Label]]) -> Columns:
    """``note_labels`` columns from the composer's statements."""
    return {
        "activity_id": np.array([activity_ids[i] for i, _ in rows], dtype=object),
        "kind": np.array([lab[0] for _, lab in rows], dtype=object),
        "contact_id": np.array(
            [contacts["id"][lab[1]] if lab[1] >= 0 else None for _, lab in rows], dtype=object
        ),
        "label": np.array([lab[2] for _, lab in rows], dtype=object),
        "value": np.array([lab[3] for _, lab in rows], dtype=object),
        "sentence": np.array([lab[4] for _, lab in rows], dtype=object),
    }
