"""The merge rule: recency-weighted votes of notes, and the evidence behind each value.

Every note votes for what it states with weight ``0.5 ** (age_days / HALF_LIFE_DAYS)``;
see :mod:`crm.insights` for the full rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def vote(facts: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Rank the values of column ``value`` within each ``by`` group by the merge rule.

    Returns one row per group and value: ``votes`` (recency-weighted), ``notes`` and
    ``last_seen``, best first within each group (``unknown`` last). Vectorised, so it
    serves one deal and a whole book alike.
    """
    stated = facts.dropna(subset=[value]).drop_duplicates([*by, value, "activity_id"])
    groups = stated.groupby([*by, value], sort=False)
    ranked = pd.DataFrame(
        {
            "votes": groups["weight"].sum(),
            "notes": groups.size(),
            "last_seen": groups["occurred_at"].max(),
        }
    ).reset_index()
    ranked["known"] = ranked[value] != "unknown"
    order = [*by, "known", "votes", "last_seen"]
    ascending = [True] * len(by) + [False, False, False]
    return ranked.sort_values(order, ascending=ascending).drop(columns="known")


def as_text(value: Any) -> str | None:
    """``value`` as a string, or None when missing."""
    return None if value is None or pd.isna(value) else str(value)


def as_datetime(value: Any) -> dt.datetime:
    """A pandas or driver timestamp as a ``datetime``."""
    return pd.Timestamp(value).to_pydatetime()


def evidence_of(rows: pd.DataFrame, column: str) -> list[Evidence]:
    """The notes in ``rows`` as evidence for their ``column`` value, newest first."""
    newest = rows.sort_values("occurred_at", ascending=False)
    return [
        Evidence(
            activity_id=str(r.activity_id),
            sentence=str(r.sentence),
            occurred_at=as_datetime(r.occurred_at),
            value=str(getattr(r, column)),
        )
        for r in newest.itertuples()
    ]


def conflicts_of(
    group: pd.DataFrame, losers: pd.DataFrame, column: str, shown: str
) -> list[Conflict]:
    """The losing values of ``column`` (displayed from column ``shown``) with their notes."""
    conflicts = []
    for value, notes, last_seen in losers[[column, "notes", "last_seen"]].itertuples(index=False):
        rows = group[group[column] == value]
        conflicts.append(
            Conflict(
                value=str(rows[shown].iloc[0]),
                notes=int(notes),
                last_seen=as_datetime(last_seen),
                evidence=evidence_of(rows, shown),
            )
        )
    return conflicts
