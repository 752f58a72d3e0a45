"""The merge rule: recency-weighted votes of notes, and the evidence behind each value.

Every note votes for what it states with weight ``0.5 ** (age_days / HALF_LIFE_DAYS)``;
see :mod:`crm.insights` for the full rule.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any, NamedTuple, cast

import pandas as pd
from pydantic import BaseModel, Field

HALF_LIFE_DAYS = 180.0
"""A note's vote halves every this many days."""


class Evidence(BaseModel):
    """One note stating a fact."""

    activity_id: str = Field(description="Id of the note (activity) the fact comes from.")
    sentence: str = Field(description="The sentence of the note that states it.")
    occurred_at: dt.datetime = Field(description="When the note was written (UTC).")
    value: str = Field(description="What this note states (the role or preference value).")


class Conflict(BaseModel):
    """A value other notes state that lost the merge vote."""

    value: str = Field(description="The competing role or preference value.")
    notes: int = Field(description="How many notes state it.")
    last_seen: dt.datetime = Field(description="The newest note stating it (UTC).")
    evidence: list[Evidence] = Field(description="The notes stating it, newest first.")


def with_weights(frame: pd.DataFrame, before: dt.datetime) -> pd.DataFrame:
    """Add each fact's vote ``weight`` (and, for role facts, ``member`` and ``name``)."""
    occurred = pd.to_datetime(frame["occurred_at"], utc=True)
    age_days = (pd.Timestamp(before) - occurred).dt.total_seconds() / 86400
    frame["occurred_at"] = occurred
    frame["weight"] = 0.5 ** (age_days.clip(lower=0) / HALF_LIFE_DAYS)
    if "person" in frame:
        person_key = "name:" + frame["person"].str.strip().str.casefold()
        frame["member"] = frame["contact_id"].where(frame["contact_id"].notna(), person_key)
        frame["name"] = frame["contact_name"].where(frame["contact_name"].notna(), frame["person"])
    return frame


class Tally(NamedTuple):
    """One value's standing in a vote."""

    value: Any
    votes: float
    notes: int
    last_seen: Any


def tally(stated: Iterable[tuple[Any, Any, float, Any]]) -> list[Tally]:
    """Rank the values of one group by the merge rule, best first (``unknown`` last).

    ``stated``: (value, activity_id, weight, occurred_at) per fact. A note counts once per
    value; a value's votes are its notes' weights summed, ties going to the value seen
    last, then to the value stated first. The one implementation of the rule: a deal's
    committee calls it directly, :func:`vote` once per group of a frame.
    """
    seen: set[tuple[Any, Any]] = set()
    weights: dict[Any, list[float]] = {}
    last: dict[Any, Any] = {}
    for value, activity_id, weight, occurred_at in stated:
        if (value, activity_id) in seen:
            continue
        seen.add((value, activity_id))
        weights.setdefault(value, []).append(weight)
        last[value] = occurred_at if value not in last else max(last[value], occurred_at)
    tallies = [Tally(v, math.fsum(w), len(w), last[v]) for v, w in weights.items()]
    return sorted(tallies, key=lambda t: (t.value != "unknown", t.votes, t.last_seen), reverse=True)


def vote(facts: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Rank the values of column ``value`` within each ``by`` group by the merge rule.

    Returns one row per group and value, groups in ``by`` order: columns ``by``,
    ``value``, ``votes`` (recency-weighted), ``notes`` and ``last_seen``, best first
    within each group (:func:`tally`). Facts missing the value or a ``by`` key are left
    out.
    """
    groups: dict[tuple[Any, ...], list[tuple[Any, Any, float, Any]]] = {}
    columns = [facts[c].tolist() for c in (*by, value, "activity_id", "weight", "occurred_at")]
    for row in zip(*columns, strict=True):
        key, fact = row[: len(by)], row[len(by) :]
        if not any(pd.isna(k) for k in key) and not pd.isna(fact[0]):
            groups.setdefault(key, []).append(fact)
    rows = [(*key, *t) for key in sorted(groups) for t in tally(groups[key])]
    ranked = pd.DataFrame(rows, columns=[*by, value, "votes", "notes", "last_seen"])
    ranked["last_seen"] = pd.to_datetime(ranked["last_seen"], utc=True)
    return ranked


def as_text(value: Any) -> str | None:
    """``value`` as a string, or None when missing."""
    return None if value is None or pd.isna(value) else str(value)


def as_datetime(value: Any) -> dt.datetime:
    """A pandas or driver timestamp as a ``datetime``."""
    return pd.Timestamp(value).to_pydatetime()


Fact = dict[str, Any]
"""One fact as a record: column name to value."""


def records(frame: pd.DataFrame) -> list[Fact]:
    """The rows of ``frame`` as :data:`Fact` records."""
    return cast(list[Fact], frame.to_dict("records"))


def stated(facts: list[Fact], column: str) -> list[tuple[Any, Any, float, Any]]:
    """The :func:`tally` input of the ``facts`` stating a ``column`` value."""
    return [
        (f[column], f["activity_id"], f["weight"], f["occurred_at"])
        for f in facts
        if not pd.isna(f[column])
    ]


def evidence_of(facts: list[Fact], column: str) -> list[Evidence]:
    """The notes of ``facts`` as evidence for their ``column`` value, newest first."""
    newest = sorted(facts, key=lambda f: f["occurred_at"], reverse=True)
    return [
        Evidence(
            activity_id=str(f["activity_id"]),
            sentence=str(f["sentence"]),
            occurred_at=as_datetime(f["occurred_at"]),
            value=str(f[column]),
        )
        for f in newest
    ]


def conflicts_of(facts: list[Fact], losers: list[Tally], column: str, shown: str) -> list[Conflict]:
    """The losing values of ``column`` (displayed from column ``shown``) with their notes."""
    conflicts = []
    for loser in losers:
        rows = [f for f in facts if f[column] == loser.value]
        conflicts.append(
            Conflict(
                value=str(rows[0][shown]),
                notes=loser.notes,
                last_seen=as_datetime(loser.last_seen),
                evidence=evidence_of(rows, shown),
            )
        )
    return conflicts
