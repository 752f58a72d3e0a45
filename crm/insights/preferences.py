"""An account's (or contact's) preferences, merged per category over notes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from crm.insights.votes import (
    Conflict,
    Evidence,
    conflicts_of,
    evidence_of,
    records,
    stated,
    tally,
    with_weights,
)
from crm.models import PreferenceFact

EXCLUSIVE_CATEGORIES = frozenset({"communication", "payment_terms", "deployment", "timeline"})
"""Preference categories holding one value at a time: other values are conflicts.

In ``pricing`` and ``product`` several values coexist ("annual billing", "needs SSO")."""


class MergedPreference(BaseModel):
    """An account's (or contact's) preference in one category, merged over notes."""

    category: str = Field(description="pricing, payment_terms, communication, product, ...")
    value: str = Field(description="The winning value (e.g. 'prefers WhatsApp').")
    values: list[str] = Field(description="Every value stated in this category, strongest first.")
    notes: int = Field(description="How many notes support the winning value.")
    evidence: list[Evidence] = Field(description="Notes supporting the winning value.")
    conflicts: list[Conflict] = Field(
        description="Competing values in a one-value category (e.g. two channels)."
    )


def account_preferences(
    session: Session,
    *,
    account_id: str,
    contact_id: str | None = None,
    before: dt.datetime,
) -> list[MergedPreference]:
    """An account's preferences per category (or one contact's, given ``contact_id``)."""
    query = select(PreferenceFact).where(
        col(PreferenceFact.account_id) == account_id, col(PreferenceFact.occurred_at) < before
    )
    if contact_id is not None:
        query = query.where(col(PreferenceFact.contact_id) == contact_id)
    rows = [fact.model_dump() for fact in session.exec(query).all()]
    if not rows:
        return []
    facts = with_weights(pd.DataFrame(rows), before)
    facts["key"] = facts["value"].str.strip().str.casefold()
    return [_preference(str(category), group) for category, group in facts.groupby("category")]


def _preference(category: str, group: pd.DataFrame) -> MergedPreference:
    facts = records(group)
    ranked = tally(stated(facts, "key"))
    top = ranked[0]
    shown: dict[str, str] = {}
    for fact in facts:
        shown.setdefault(fact["key"], str(fact["value"]))
    return MergedPreference(
        category=category,
        value=shown[top.value],
        values=[shown[t.value] for t in ranked],
        notes=top.notes,
        evidence=evidence_of([f for f in facts if f["key"] == top.value], "value"),
        conflicts=conflicts_of(
            facts, ranked[1:] if category in EXCLUSIVE_CATEGORIES else [], "key", "value"
        ),
    )
