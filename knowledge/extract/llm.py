"""The LLM extractor: structured output from an injected ``complete_json`` callable.

``knowledge`` never imports an LLM client. The assistant layer supplies
``complete_json(prompt, schema) -> dict`` (for example LangChain structured output on
any OpenAI-compatible model); this module builds the prompt, validates the returned
JSON into :class:`knowledge.extract.types.Extraction`, links the names to the account's
contacts, keeps only evidence sentences that really occur in the note, and falls back
to the offline extractor on any failure (the result then says ``llm_fallback``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from crm.models import DecisionRole, PreferenceCategory
from knowledge.extract.base import Extractor
from knowledge.extract.names import NameIndex
from knowledge.extract.offline import OfflineExtractor
from knowledge.extract.text import split_sentences
from knowledge.extract.types import (
    Evidence,
    Extraction,
    Influence,
    KnownContact,
    PersonRole,
    Preference,
    Stance,
)

CompleteJson = Callable[[str, dict[str, Any]], dict[str, Any]]
"""``complete_json(prompt, schema)``: ask a model for JSON matching ``schema``."""

log = logging.getLogger(__name__)

PROMPT = """Extract the buying committee and the customer's preferences from a sales note.

Roles (use "unknown" when the note does not say; never guess):
- decision_maker: has the final say, signs, owns the budget
- champion: advocates for us internally, shares inside information
- influencer: shapes the decision without owning it
- technical_evaluator: assesses technical or security fit
- user: will use the product day to day
- gatekeeper: controls access and process (procurement, legal process, an assistant)
- blocker: opposes us or prefers another option
A negated statement ("X is not the decision maker") does not give the role.
stance: supportive | neutral | opposed, influence: high | medium | low, or null when unsaid.
Preference categories: pricing, payment_terms, communication, product, deployment,
timeline; value: a short normalised phrase ("net 60", "prefers WhatsApp", "EU hosting").
Every item quotes the note's sentence that states it in "evidence".

Known contacts of the account: {contacts}

Note:
{text}
"""


class _LLMPerson(BaseModel):
    name: str
    role: DecisionRole = "unknown"
    stance: Stance | None = None
    influence: Influence | None = None
    evidence: str = ""


class _LLMPreference(BaseModel):
    category: PreferenceCategory
    value: str = Field(min_length=1, max_length=120)
    person: str | None = None
    evidence: str = ""


class LLMOutput(BaseModel):
    """What the model must return (its JSON schema is sent with the prompt)."""

    contacts: list[_LLMPerson] = Field(default_factory=list)
    preferences: list[_LLMPreference] = Field(default_factory=list)


class LLMExtractor:
    """Extract with a language model; fall back to ``fallback`` on any error."""

    name = "llm"

    def __init__(self, complete_json: CompleteJson, fallback: Extractor | None = None) -> None:
        self._complete = complete_json
        self._fallback = fallback or OfflineExtractor()

    def extract(
        self,
        text: str,
        *,
        note_id: str | None = None,
        known_contacts: Sequence[KnownContact] = (),
    ) -> Extraction:
        """Extract with the model, or with the fallback when the model fails."""
        contacts = ", ".join(f"{c.name} ({c.title or 'no title'})" for c in known_contacts)
        prompt = PROMPT.format(contacts=contacts or "none", text=text)
        try:
            raw = self._complete(prompt, LLMOutput.model_json_schema())
            if isinstance(raw, str):
                raw = json.loads(raw)
            output = LLMOutput.model_validate(raw)
        except (ValidationError, ValueError, TypeError) as exc:
            log.warning("LLM extraction returned unusable output, falling back: %s", exc)
            return self._fall_back(text, note_id, known_contacts)
        except Exception:  # the model client may raise anything (network, quota, timeout)
            log.exception("LLM extraction failed, falling back to %s", self._fallback.name)
            return self._fall_back(text, note_id, known_contacts)
        return _to_extraction(output, text, note_id, known_contacts)

    def _fall_back(
        self, text: str, note_id: str | None, known_contacts: Sequence[KnownContact]
    ) -> Extraction:
        result = self._fallback.extract(text, note_id=note_id, known_contacts=known_contacts)
        return result.model_copy(update={"extractor": "llm_fallback"})


def _to_extraction(
    output: LLMOutput, text: str, note_id: str | None, known: Sequence[KnownContact]
) -> Extraction:
    index = NameIndex(known, text)
    sentences = [s for _, s in split_sentences(text)]
    people: dict[str, PersonRole] = {}
    for item in output.contacts:
        contact_id, name = _link(index, item.name)
        key = contact_id or name.lower()
        if key in people and item.role == "unknown":
            continue
        people[key] = PersonRole(
            name=name,
            contact_id=contact_id,
            role=item.role,
            stance=item.stance,
            influence=item.influence,
            evidence=_evidence(item.evidence, item.name, sentences, note_id),
        )
    preferences = []
    for pref in output.preferences:
        holder = _link(index, pref.person) if pref.person else (None, None)
        preferences.append(
            Preference(
                category=pref.category,
                value=pref.value.strip(),
                contact_id=holder[0],
                person=holder[1],
                evidence=_evidence(pref.evidence, pref.value, sentences, note_id),
            )
        )
    return Extraction(contacts=list(people.values()), preferences=preferences, extractor="llm")


def _link(index: NameIndex, name: str) -> tuple[str | None, str]:
    """The contact a name the model wrote refers to (id and full name), if any."""
    mentions = [m for m in index.mentions(name.strip(), None) if not m.pronoun]
    if mentions and mentions[0].person.contact_id:
        return mentions[0].person.contact_id, mentions[0].person.name
    return None, name.strip()


def _evidence(quoted: str, name: str, sentences: list[str], note_id: str | None) -> list[Evidence]:
    """The quoted sentence if it is in the note, else the first sentence naming ``name``."""
    quoted = " ".join(quoted.split())
    chosen = [s for s in sentences if quoted and (quoted in s or s in quoted)]
    if not chosen:
        chosen = [s for s in sentences if name and name.lower() in s.lower()][:1]
    return [Evidence(note_id=note_id, sentence=s) for s in chosen[:3]]
