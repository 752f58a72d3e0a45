"""The typed result every extractor returns, and the contacts it links names to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from crm.models import DecisionRole, PreferenceCategory

Stance = Literal["supportive", "neutral", "opposed"]
Influence = Literal["high", "medium", "low"]
ExtractorName = Literal["offline", "llm", "llm_fallback"]


@dataclass(frozen=True)
class KnownContact:
    """A contact of the note's account: names in the note are linked to these first."""

    id: str
    name: str
    title: str | None = None


class Evidence(BaseModel):
    """Where a fact comes from: the note and the sentence that states it."""

    note_id: str | None = Field(default=None, description="Id of the note (activity).")
    sentence: str = Field(description="The sentence of the note that states the fact.")


class PersonRole(BaseModel):
    """A person the note mentions, with the decision-chain role the note gives them."""

    name: str = Field(description="The contact's name (full name when linked to a contact).")
    contact_id: str | None = Field(
        default=None, description="Id of the linked contact, or null when not a known contact."
    )
    role: DecisionRole = Field(
        description="Decision-chain role; 'unknown' when the note does not say."
    )
    stance: Stance | None = Field(
        default=None, description="Stance towards us, when the note supports it."
    )
    influence: Influence | None = Field(
        default=None, description="Influence on the decision, when the note supports it."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="Sentences that mention the person or state the role."
    )


class Preference(BaseModel):
    """A customer preference stated in the note."""

    category: PreferenceCategory = Field(description="Kind of preference.")
    value: str = Field(description="Short normalised value, e.g. 'net 60', 'EU hosting'.")
    contact_id: str | None = Field(
        default=None, description="Id of the contact who holds the preference, if known."
    )
    person: str | None = Field(
        default=None, description="Name of the person who holds the preference, if known."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="Sentences that state the preference."
    )


class Extraction(BaseModel):
    """People with roles and the preferences one note (or text) states."""

    contacts: list[PersonRole] = Field(
        default_factory=list, description="People mentioned, with their roles."
    )
    preferences: list[Preference] = Field(default_factory=list, description="Preferences stated.")
    extractor: ExtractorName = Field(
        default="offline",
        description="Which extractor produced this: offline, llm, or llm_fallback "
        "(the LLM failed and the offline extractor answered).",
    )
