"""Win-model factors in words a manager understands: "No activity for 45 days (-12 pts)"."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
from pydantic import BaseModel, Field

MAX_FACTORS = 3
MIN_EFFECT_PTS = 0.5
QUIET_DAYS = 14


class Factor(BaseModel):
    """One reason the probability is higher or lower than for a typical deal."""

    feature: str = Field(description="The model feature.")
    text: str = Field(description="The reason in words, with its effect in points.")
    effect_pts: float = Field(description="Change in probability points (+ raises, - lowers).")


def _count(n: float, one: str, many: str) -> str:
    return f"{n:.0f} {one if round(n) == 1 else many}"


def _known(role: str) -> Callable[[float], str]:
    return lambda v: f"{role} identified" if v >= 0.5 else f"No {role.lower()} identified"


def _activity(days: float) -> str:
    if days >= QUIET_DAYS:
        return f"No activity for {days:.0f} days"
    return f"Last activity {_count(days, 'day', 'days')} ago"


def _contacts(n: float) -> str:
    if n < 0.5:
        return "No contact engaged"
    return "Only one contact engaged" if n < 1.5 else f"{n:.0f} contacts engaged"


def _pushes(n: float) -> str:
    return (
        "Close date never pushed" if n < 0.5 else f"Close date pushed {_count(n, 'time', 'times')}"
    )


def _vs_usual(log_ratio: float) -> str:
    if abs(log_ratio) < 1e-9:
        return "No earlier deal with the account to compare the amount with"
    return f"Amount {math.exp(log_ratio):.1f}× the account's average deal"


WORDS: dict[str, Callable[[float], str]] = {
    "days_in_stage": lambda v: f"{_count(v, 'day', 'days')} in the current stage",
    "age_days": lambda v: f"Open for {_count(v, 'day', 'days')}",
    "log_amount": lambda v: f"Deal size {math.expm1(v):,.0f}",
    "days_since_activity": _activity,
    "activities": lambda v: _count(v, "activity logged", "activities logged"),
    "contacts_engaged": _contacts,
    "decision_maker_known": _known("Decision maker"),
    "champion_known": _known("Champion"),
    "pushes": _pushes,
    "amount_vs_usual": _vs_usual,
    "owner_win_rate": lambda v: f"Owner's win rate {v:.0%}",
}
LABELS = {"stage": "In {}", "product": "Product {}", "industry": "Industry: {}"}


def describe(feature: str, value: object) -> str:
    """The feature's value in words."""
    if feature in LABELS:
        return LABELS[feature].format(value)
    return WORDS[feature](float(value))  # type: ignore[arg-type]


def describe_factors(
    row: pd.Series, effects: dict[str, float]
) -> tuple[list[Factor], list[Factor]]:
    """The strongest factors raising and lowering the probability (at most 3 each)."""
    factors = [
        Factor(
            feature=name,
            text=f"{describe(name, row[name])} ({effect:+.0f} pts)",
            effect_pts=round(effect, 1),
        )
        for name, effect in sorted(effects.items(), key=lambda kv: -abs(kv[1]))
        if abs(effect) >= MIN_EFFECT_PTS
    ]
    up = [f for f in factors if f.effect_pts > 0][:MAX_FACTORS]
    down = [f for f in factors if f.effect_pts < 0][:MAX_FACTORS]
    return up, down
