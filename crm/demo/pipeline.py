"""Opportunities across the six-stage pipeline, with stage histories and planted scenarios.

Outcomes follow the account's behaviour (prospects never win, churned accounts only won
before they left). Open deals are planted as healthy, *stalled* (3-6x the median time won
deals spend in the current stage), *slipped* (pushed at least twice, half of them past
their close date) or *missing a decision maker* (no note on the account ever names one).
"""

from __future__ import annotations

import numpy as np

from crm.demo.catalog import COMPETITORS, OPEN_STAGES, PRODUCT_IDS, PRODUCT_NAMES, price_lines
from crm.demo.config import DAY, Columns, DemoConfig, ids, or_none, whole_days, work_time

STAGE_MEDIAN_DAYS = np.array([12.0, 18.0, 21.0, 14.0])
"""Median days a won deal spends in Prospecting, Qualification, Proposal, Negotiation."""

OUTCOME_BY_BEHAVIOUR: dict[str, tuple[float, float, float]] = {
    # P(won), P(lost), P(open)
    "loyal_high_value": (0.45, 0.2, 0.35),
    "steady": (0.4, 0.25, 0.35),
    "growing_new": (0.4, 0.2, 0.4),
    "seasonal": (0.0, 0.5, 0.5),
    "churned": (0.3, 0.7, 0.0),
    "one_off": (0.0, 0.6, 0.4),
    "prospect": (0.0, 0.4, 0.6),
}
DEAL_WEIGHT = {"loyal_high_value": 3.0, "growing_new": 3.0, "steady": 2.0, "prospect": 1.2}
LOST_REASONS = (
    "Price too high",
    "Chose a competitor",
    "No budget this year",
    "No decision - project shelved",
    "Missing feature: offline mode",
    "Timing - revisit next year",
    "Champion left the company",
)
NEXT_STEPS = (
    ("Book discovery call", "Send intro deck and case study"),
    ("Run technical deep-dive with IT", "Confirm budget and timeline"),
    ("Send revised proposal", "Present proposal to the buying committee"),
    ("Agree payment terms with procurement", "Send contract for signature"),
)
DEAL_PRODUCT_WEIGHTS = np.array([0.2, 0.18, 0.08, 0.12, 0.08, 0.06, 0.1, 0.04, 0.08, 0.03, 0.03])
SCENARIO_SHARES = (0.18, 0.20, 0.15)
"""Shares of open deals planted as stalled, slipped and missing-decision-maker."""


def _choose_accounts(rng: np.random.Generator, accounts: Columns, n: int) -> np.ndarray:
    """Account index per deal (-1 = an early deal without an account)."""
    w = np.array([DEAL_WEIGHT.get(b, 0.7) for b in accounts["_behaviour"]])
    account = rng.choice(len(w), size=n, p=w / w.sum())
    account[rng.random(n) < 0.05] = -1
    return account


def _outcomes(rng: np.random.Generator, behaviour: np.ndarray) -> np.ndarray:
    """'won' | 'lost' | 'open' per deal, conditional on the account behaviour."""
    u = rng.random(len(behaviour))
    probs = np.array([OUTCOME_BY_BEHAVIOUR.get(b, (0.0, 0.5, 0.5)) for b in behaviour])
    return np.where(u < probs[:, 0], "won", np.where(u < probs[:, 0] + probs[:, 1], "lost", "open"))


def _end_day(
    cfg: DemoConfig,
    rng: np.random.Generator,
    accounts: Columns,
    account: np.ndarray,
    outcome: np.ndarray,
    total_days: np.ndarray,
) -> np.ndarray:
    """Close day of closed deals (wins inside the account's active window); as_of if open."""
    a = np.maximum(account, 0)
    has = account >= 0
    created = accounts["created_at"][a].astype("datetime64[D]")
    lo = np.maximum(cfg.start + total_days * DAY, np.where(has, created + 14 * DAY, cfg.start))
    hi = np.full(len(account), cfg.today - DAY)
    won = outcome == "won"
    lo[won] = np.maximum(lo[won], accounts["_first"][a[won]])
    hi[won] = np.minimum(hi[won], accounts["_last"][a[won]])
    lo = np.minimum(lo, hi)
    span = whole_days(hi - lo) + 1
    end = lo + np.floor(rng.random(len(account)) * span).astype(np.int64) * DAY
    return np.where(outcome == "open", cfg.today, end)


def _scenarios(
    rng: np.random.Generator, outcome: np.ndarray, has_account: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Disjoint seeds of the stalled, slipped and missing-decision-maker scenarios.

    Exact shares of the open deals, drawn at random.
    """
    open_rows = rng.permutation(np.flatnonzero(outcome == "open"))
    cuts = np.rint(np.cumsum(SCENARIO_SHARES) * len(open_rows)).astype(int)
    masks = []
    for rows in np.split(open_rows, cuts)[:3]:
        mask = np.zeros(len(outcome), dtype=bool)
        mask[rows] = True
        masks.append(mask)
    return masks[0], masks[1], masks[2] & has_account


def _stage_path(
    rng: np.random.Generator, outcome: np.ndarray, has_account: np.ndarray, stalled: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Last open stage reached (0-3) and whole days spent in each open stage (deals x 4).

    For open deals the current stage's days run up to as_of.
    """
    n = len(outcome)
    last = np.where(outcome == "won", 3, rng.choice(4, size=n, p=[0.28, 0.32, 0.25, 0.15]))
    last[~has_account] = np.minimum(last[~has_account], 1)
    days = STAGE_MEDIAN_DAYS[None, :] * rng.lognormal(0, 0.45, (n, 4))
    days[outcome == "lost"] *= 1.3
    median_now = STAGE_MEDIAN_DAYS[last]
    elapsed = np.where(stalled, rng.uniform(3, 6, n), rng.uniform(0.1, 1.1, n)) * median_now
    current = np.arange(n), last
    days[current] = np.where(outcome == "open", elapsed, days[current])
    days = np.maximum(1, np.rint(days)).astype(np.int64)
    return last, days * (np.arange(4)[None, :] <= last[:, None])


def make_pipeline(
    cfg: DemoConfig, accounts: Columns, rep_ids: np.ndarray
) -> tuple[Columns, np.ndarray]:
    """Generate the opportunities and the accounts whose notes never name a decision maker.

    Private columns: ``_outcome``, ``_last`` (stage index), ``_entered`` (deals x 4
    stage entry days), ``_end``, ``_stalled``, ``_slipped``, ``_missing_dm``, ``_account``.
    """
    rng = cfg.rng("pipeline")
    n = cfg.count(400, minimum=30)
    account = _choose_accounts(rng, accounts, n)
    has_account = account >= 0
    behaviour = np.where(has_account, accounts["_behaviour"][np.maximum(account, 0)], "none")
    outcome = _outcomes(rng, behaviour)
    stalled, slipped, no_dm_seed = _scenarios(rng, outcome, has_account)
    last, days = _stage_path(rng, outcome, has_account, stalled)
    end = _end_day(cfg, rng, accounts, account, outcome, days.sum(axis=1))
    entered = end[:, None] - np.cumsum(days[:, ::-1], axis=1)[:, ::-1] * DAY
    hidden_dm = np.zeros(len(accounts["id"]), dtype=bool)
    hidden_dm[account[no_dm_seed]] = True
    order = np.argsort(entered[:, 0], kind="stable")
    deals: Columns = {
        "_account": account,
        "_outcome": outcome,
        "_last": last,
        "_entered": entered,
        "_end": end,
        "_stalled": stalled,
        "_slipped": slipped,
        "_missing_dm": (outcome == "open") & has_account & hidden_dm[np.maximum(account, 0)],
    }
    deals = {k: v[order] for k, v in deals.items()}
    return _describe(cfg, rng, accounts, rep_ids, deals), hidden_dm


def _describe(
    cfg: DemoConfig,
    rng: np.random.Generator,
    accounts: Columns,
    rep_ids: np.ndarray,
    deals: Columns,
) -> Columns:
    """Ids, names, owners, products, amounts, dates and next steps of the deals."""
    n = len(deals["_outcome"])
    account, outcome, last = deals["_account"], deals["_outcome"], deals["_last"]
    a, has = np.maximum(account, 0), account >= 0
    size = np.exp((accounts["_size"][a] - np.log(220)) * 0.35)
    product, amount, cost = price_lines(
        rng, 24_000_00 * size * rng.lognormal(0, 0.6, n), DEAL_PRODUCT_WEIGHTS
    )
    owner = np.where(
        has & (rng.random(n) < 0.9),
        accounts["owner_id"][a],
        rep_ids[rng.integers(0, len(rep_ids), n)],
    )
    stage = np.where(
        outcome == "won",
        "Closed Won",
        np.where(outcome == "lost", "Closed Lost", OPEN_STAGES[last]),
    )
    prefix = np.where(has, accounts["name"][a], "Inbound lead")
    lost_reason = or_none(
        outcome == "lost",
        np.array(LOST_REASONS, dtype=object)[rng.integers(0, len(LOST_REASONS), n)],
    )
    competitor = np.array(COMPETITORS, dtype=object)[rng.integers(0, len(COMPETITORS), n)]
    competitor = or_none((rng.random(n) < 0.3) | (lost_reason == "Chose a competitor"), competitor)
    return (
        deals
        | {
            "id": ids("OPP", n),
            "name": prefix + " - " + PRODUCT_NAMES[product],
            "account_id": or_none(has, accounts["id"][a]),
            "owner_id": owner,
            "product_id": PRODUCT_IDS[product],
            "stage": stage.astype(object),
            "amount_cents": amount,
            "created_at": work_time(rng, deals["_entered"][:, 0]),
            "close_date": _close_dates(cfg, rng, deals),
            "lost_reason": lost_reason,
            "_cost": cost,
            "_competitor": competitor,
            "_budget": np.array([None, "approved", "tight"], dtype=object)[
                rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
            ],
            "_pushes": _push_counts(rng, deals),
        }
        | _next_steps(cfg, rng, deals)
    )


def _close_dates(cfg: DemoConfig, rng: np.random.Generator, deals: Columns) -> np.ndarray:
    """Actual close day of closed deals, expected one of open deals.

    Half of the slipped deals are already past it.
    """
    n = len(deals["_outcome"])
    future = cfg.today + rng.integers(7, 90, n) * DAY
    past_due = deals["_slipped"] & (rng.random(n) < 0.5)
    expected = np.where(past_due, cfg.today - rng.integers(3, 45, n) * DAY, future)
    return np.where(deals["_outcome"] == "open", expected, deals["_end"])


def _push_counts(rng: np.random.Generator, deals: Columns) -> np.ndarray:
    """How often each deal's close date was pushed: 2-3 for slipped deals, else 0 or 1."""
    n = len(deals["_outcome"])
    once = rng.random(n) < np.where(deals["_outcome"] == "open", 0.25, 0.12)
    return np.where(deals["_slipped"], rng.integers(2, 4, n), once.astype(np.int64))


def _next_steps(cfg: DemoConfig, rng: np.random.Generator, deals: Columns) -> Columns:
    """Next step and its date on open deals: some missing, stalled ones often overdue."""
    n = len(deals["_outcome"])
    is_open, stalled = deals["_outcome"] == "open", deals["_stalled"]
    text = np.array(
        [NEXT_STEPS[s][k] for s, k in zip(deals["_last"], rng.integers(0, 2, n), strict=True)],
        dtype=object,
    )
    has_step = is_open & (rng.random(n) >= np.where(stalled, 0.5, 0.15))
    when = np.where(
        stalled, cfg.today - rng.integers(10, 60, n) * DAY, cfg.today + rng.integers(1, 21, n) * DAY
    )
    return {
        "next_step": or_none(has_step, text),
        "next_step_date": np.where(has_step, when, np.datetime64("NaT")),
    }
