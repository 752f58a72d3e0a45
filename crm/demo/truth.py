"""The planted ground truth as ``demo_truth`` rows: behaviours, deal scenarios, roles."""

from __future__ import annotations

import numpy as np

from crm.demo.catalog import OPEN_STAGES
from crm.demo.config import Columns, DemoConfig, or_none, whole_days


def _rows(entity: str, entity_id: np.ndarray, label: np.ndarray, detail: np.ndarray) -> Columns:
    return {
        "entity": np.full(len(entity_id), entity, dtype=object),
        "entity_id": entity_id,
        "label": label.astype(object),
        "detail": detail.astype(object),
    }


def _deal_rows(cfg: DemoConfig, deals: Columns) -> list[Columns]:
    outcome = deals["_outcome"]
    current = OPEN_STAGES[deals["_last"]]
    entered = deals["_entered"][np.arange(len(outcome)), deals["_last"]]
    days_in_stage = whole_days(cfg.today - entered)
    stalled = deals["_stalled"]
    slipped = deals["_slipped"]
    past_due = deals["close_date"] < cfg.today
    no_account = deals["_account"] < 0
    missing = deals["_missing_dm"]
    ids = deals["id"]
    detail = or_none(outcome == "lost", deals["lost_reason"])
    slip_detail = [
        f"pushed {k}x" + (", close date passed" if p else "")
        for k, p in zip(deals["_pushes"][slipped], past_due[slipped], strict=True)
    ]
    stall_detail = [
        f"{days} days in {stage}"
        for days, stage in zip(days_in_stage[stalled], current[stalled], strict=True)
    ]
    return [
        _rows("opportunity", ids, outcome, detail),
        _rows(
            "opportunity",
            ids[stalled],
            np.full(stalled.sum(), "stalled"),
            np.array(stall_detail, dtype=object),
        ),
        _rows(
            "opportunity",
            ids[slipped],
            np.full(slipped.sum(), "slipped"),
            np.array(slip_detail, dtype=object),
        ),
        _rows(
            "opportunity",
            ids[missing],
            np.full(missing.sum(), "missing_decision_maker"),
            np.full(missing.sum(), None),
        ),
        _rows(
            "opportunity",
            ids[no_account],
            np.full(no_account.sum(), "no_account"),
            np.full(no_account.sum(), None),
        ),
    ]


def make_truth(cfg: DemoConfig, accounts: Columns, contacts: Columns, deals: Columns) -> Columns:
    """All ground-truth rows with explicit ids (stable across reloads)."""
    behaviour = accounts["_behaviour"]
    account_detail = np.where(
        behaviour == "seasonal",
        np.array([f"peak months {m}, {m % 12 + 1}" for m in accounts["_peak_month"]], dtype=object),
        or_none(
            behaviour == "churned",
            np.array([f"no orders after {d}" for d in accounts["_last"]], dtype=object),
        ),
    )
    contact_detail = np.array(
        [
            f"stance={s}; influence={i}"
            for s, i in zip(contacts["_stance"], contacts["_influence"], strict=True)
        ],
        dtype=object,
    )
    parts = [
        _rows("account", accounts["id"], behaviour, account_detail),
        *_deal_rows(cfg, deals),
        _rows("contact", contacts["id"], contacts["_role"], contact_detail),
    ]
    merged = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return {"id": np.arange(1, len(merged["entity"]) + 1)} | merged
