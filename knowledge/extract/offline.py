"""The offline extractor: patterns, name linking and negation, no model (the default).

Pipeline per note: split sentences (:mod:`knowledge.extract.text`); find the people
each sentence mentions (:mod:`knowledge.extract.names`); match role, stance and
influence cues (:mod:`knowledge.extract.lexicon`) and attribute each to the person it
is about — the nearest person named before it in the sentence ("Maria Chen will sign
off, while Tom Berg in IT is checking security": sign off → Maria, checking security →
Tom), or after it for passive cues; negated cues ("is not the decision maker") are
dropped. A person's role is the highest-priority role their cues give
(:data:`knowledge.extract.lexicon.ROLE_PRIORITY`), ``unknown`` when none: the extractor
never guesses. Preferences come from :mod:`knowledge.extract.patterns`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from knowledge.extract.lexicon import (
    INFLUENCE_CUES,
    ROLE_CUES,
    ROLE_INFLUENCE,
    ROLE_PRIORITY,
    ROLE_STANCE,
    STANCE_CUES,
    Cue,
)
from knowledge.extract.names import Mention, NameIndex, Person
from knowledge.extract.patterns import PATTERNS, has_product_trigger
from knowledge.extract.text import is_negated, split_sentences
from knowledge.extract.types import (
    Evidence,
    Extraction,
    KnownContact,
    PersonRole,
    Preference,
)


@dataclass
class _Facts:
    """What the cues of one note say about one person."""

    person: Person
    roles: set[str] = field(default_factory=set)
    stances: list[str] = field(default_factory=list)
    influences: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    cue_sentences: list[str] = field(default_factory=list)


class OfflineExtractor:
    """Extract roles and preferences with cue patterns; fast and torch-free."""

    name = "offline"

    def extract(
        self,
        text: str,
        *,
        note_id: str | None = None,
        known_contacts: Sequence[KnownContact] = (),
    ) -> Extraction:
        """Extract the people (with roles) and preferences that ``text`` states."""
        index = NameIndex(known_contacts, text)
        facts: dict[str, _Facts] = {}
        preferences: list[Preference] = []
        last: Person | None = None
        named: list[Person] = []
        for _, sentence in split_sentences(text):
            mentions = index.mentions(sentence, last, named)
            for mention in mentions:
                entry = facts.setdefault(mention.person.key, _Facts(mention.person))
                if sentence not in entry.sentences:
                    entry.sentences.append(sentence)
            _apply(ROLE_CUES, sentence, mentions, facts, _record_role)
            _apply(STANCE_CUES, sentence, mentions, facts, lambda f, lab, _: f.stances.append(lab))
            _apply(
                INFLUENCE_CUES,
                sentence,
                mentions,
                facts,
                lambda f, lab, _: f.influences.append(lab),
            )
            preferences.extend(_preferences(sentence, mentions, note_id))
            subjects = [m for m in mentions if not m.pronoun and m.target]
            last = subjects[0].person if subjects else last
            named.extend(m.person for m in mentions if not m.pronoun)
        people = [_person_role(entry, note_id) for entry in facts.values()]
        return Extraction(contacts=people, preferences=preferences, extractor="offline")


def _apply(
    lexicon: Sequence[Cue],
    sentence: str,
    mentions: list[Mention],
    facts: dict[str, _Facts],
    record: Callable[[_Facts, str, str], None],
) -> None:
    """Attribute every non-negated cue of ``lexicon`` in ``sentence`` to its person."""
    if not mentions:
        return
    taken: list[tuple[int, int]] = []
    for cue in lexicon:
        for match in cue.pattern.finditer(sentence):
            span = match.span()
            if any(s < span[1] and span[0] < e for s, e in taken):
                continue
            taken.append(span)
            if is_negated(sentence, span[0]):
                continue
            person = _attribute(cue, span, mentions)
            if person is not None:
                record(facts[person.key], cue.label, sentence)


def _record_role(entry: _Facts, role: str, sentence: str) -> None:
    entry.roles.add(role)
    if sentence not in entry.cue_sentences:
        entry.cue_sentences.append(sentence)


def _attribute(cue: Cue, span: tuple[int, int], mentions: list[Mention]) -> Person | None:
    """The person a cue at ``span`` is about (see :mod:`knowledge.extract.lexicon`)."""
    targets = [m for m in mentions if m.target]
    before = [m for m in targets if m.end <= span[0]]
    after = [m for m in targets if m.start >= span[1]]
    inside = [m for m in targets if m.start >= span[0] and m.end <= span[1]]
    if cue.direction == "subj":
        chosen = targets[:1]
    elif cue.direction == "next":
        chosen = after[:1] or inside[:1]
    else:
        chosen = before[-1:] or inside[:1] or after[:1]
    return chosen[0].person if chosen else None


def _person_role(entry: _Facts, note_id: str | None) -> PersonRole:
    role = next((r for r in ROLE_PRIORITY if r in entry.roles), "unknown")
    stance = entry.stances[0] if entry.stances else ROLE_STANCE.get(role)
    influence = entry.influences[0] if entry.influences else ROLE_INFLUENCE.get(role)
    sentences = entry.cue_sentences + [s for s in entry.sentences if s not in entry.cue_sentences]
    return PersonRole.model_validate(
        {
            "name": entry.person.name,
            "contact_id": entry.person.contact_id,
            "role": role,
            "stance": stance,
            "influence": influence,
            "evidence": [Evidence(note_id=note_id, sentence=s) for s in sentences],
        }
    )


def _preferences(sentence: str, mentions: list[Mention], note_id: str | None) -> list[Preference]:
    """At most one preference per category in ``sentence``: the earliest, longest match."""
    best: dict[str, tuple[int, int, str]] = {}
    trigger = has_product_trigger(sentence)
    for pattern in PATTERNS:
        if pattern.needs_trigger and not trigger:
            continue
        for match in pattern.pattern.finditer(sentence):
            if is_negated(sentence, match.start()):
                continue
            key = (match.start(), -len(match.group(0)))
            current = best.get(pattern.category)
            if current is None or key < current[:2]:
                best[pattern.category] = (*key, pattern.value(match))
            break
    holder = next((m.person for m in mentions if m.target), None)
    by_position = sorted(best.items(), key=lambda item: item[1][:2])
    return [
        Preference.model_validate(
            {
                "category": category,
                "value": value,
                "contact_id": holder.contact_id if holder else None,
                "person": holder.name if holder else None,
                "evidence": [Evidence(note_id=note_id, sentence=sentence)],
            }
        )
        for category, (_, _, value) in by_position
    ]
