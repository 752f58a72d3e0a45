"""The offline extractor: clause attribution, negation, linking, Chinese, preferences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.extract import KnownContact, OfflineExtractor
from knowledge.extract.types import Extraction

NORTHWIND = (
    KnownContact("C1", "Maria Chen", "CFO"),
    KnownContact("C2", "Tom Berg", "IT Security Lead"),
    KnownContact("C3", "Emma Rossi", "Executive Assistant"),
    KnownContact("C4", "David Okafor", "CEO"),
)
ZHONGTIAN = (KnownContact("Z1", "赵明", "总经理"), KnownContact("Z2", "王磊", "IT经理"))


def extract(text: str, contacts: tuple[KnownContact, ...] = NORTHWIND) -> Extraction:
    return OfflineExtractor().extract(text, note_id="N1", known_contacts=contacts)


def roles(found: Extraction) -> dict[str, str]:
    return {p.name: p.role for p in found.contacts}


def test_two_people_in_one_sentence_get_their_own_roles() -> None:
    found = extract("Maria Chen will sign off, while Tom Berg in IT is checking security.")
    assert roles(found) == {"Maria Chen": "decision_maker", "Tom Berg": "technical_evaluator"}


def test_a_negated_role_is_not_given() -> None:
    found = extract("Tom Berg is not the decision maker.")
    assert roles(found) == {"Tom Berg": "unknown"}


def test_a_negation_does_not_reach_across_a_clause_break() -> None:
    found = extract("Tom is not involved, but Maria Chen owns the budget.")
    assert roles(found) == {"Tom Berg": "unknown", "Maria Chen": "decision_maker"}


def test_people_mentioned_without_a_role_are_unknown_not_guessed() -> None:
    found = extract("Demo went fine. Maria Chen and Tom Berg attended. No decisions made.")
    assert roles(found) == {"Maria Chen": "unknown", "Tom Berg": "unknown"}
    assert all(p.stance is None and p.influence is None for p in found.contacts)


def test_first_names_and_titles_link_to_the_known_contacts() -> None:
    found = extract("Met Maria Chen today. Maria was happy. The CFO has the final say.")
    [maria] = found.contacts
    assert (maria.contact_id, maria.role, maria.stance, maria.influence) == (
        "C1",
        "decision_maker",
        "supportive",
        "high",
    )


def test_a_pronoun_carries_the_role_to_the_last_person_named() -> None:
    found = extract("Call with Tom Berg. He shared the internal scorecard with us.")
    assert roles(found) == {"Tom Berg": "champion"}


def test_a_possessive_mention_is_not_the_subject_of_the_cue() -> None:
    found = extract("Emma Rossi manages David's calendar.")
    assert roles(found) == {"Emma Rossi": "gatekeeper", "David Okafor": "unknown"}


def test_passive_cues_point_to_the_person_named_after_them() -> None:
    found = extract("Tom Berg said the budget sits with Maria Chen.")
    assert roles(found) == {"Tom Berg": "unknown", "Maria Chen": "decision_maker"}


def test_unknown_full_names_are_detected_and_their_first_names_followed() -> None:
    found = extract("Steve Parker from the parent company joined. Steve will sign the contract.")
    [steve] = found.contacts
    assert (steve.name, steve.contact_id, steve.role) == ("Steve Parker", None, "decision_maker")


def test_a_person_preferring_a_rival_is_a_blocker_with_an_opposed_stance() -> None:
    [tom] = extract("Tom Berg is pushing for a competitor.").contacts
    assert (tom.role, tom.stance) == ("blocker", "opposed")


def test_the_evidence_is_the_sentence_stating_the_role_with_the_note_id() -> None:
    found = extract("Maria Chen joined late. She will sign the order form.")
    [maria] = found.contacts
    assert maria.evidence[0].sentence == "She will sign the order form."
    assert maria.evidence[0].note_id == "N1"


def test_chinese_surname_and_honorific_links_to_the_known_contact() -> None:
    found = extract("赵总负责最终审批。王磊负责技术评估。", ZHONGTIAN)
    assert roles(found) == {"赵明": "decision_maker", "王磊": "technical_evaluator"}


def test_chinese_honorifics_are_people_even_without_known_contacts() -> None:
    assert roles(extract("赵总负责最终审批。", ())) == {"赵总": "decision_maker"}


def test_a_chinese_mention_without_a_role_is_unknown() -> None:
    assert roles(extract("王磊没有参加今天的会议。", ZHONGTIAN)) == {"王磊": "unknown"}


@pytest.mark.parametrize(
    ("text", "category", "value"),
    [
        ("They pay net 60, no exceptions.", "payment_terms", "net 60"),
        ("Maria said they would prefer annual billing.", "payment_terms", "annual billing"),
        ("Sofia wants 90-day payment terms.", "payment_terms", "net 90"),
        ("Mark wants a 15% discount before he'll recommend us.", "pricing", "15% discount"),
        ("Grace wants usage-based pricing.", "pricing", "usage-based pricing"),
        ("Ana prefers WhatsApp for quick questions.", "communication", "prefers WhatsApp"),
        ("Data must stay in the EU.", "deployment", "EU hosting"),
        ("Tom insists on on-premise deployment.", "deployment", "on-premise"),
        ("They want to go live before Q3.", "timeline", "go-live before Q3"),
        ("Omar asked for a Portuguese interface.", "product", "Portuguese interface"),
        ("Kenji wants a Jira integration.", "product", "Jira integration"),
        ("客户要求付款方式是月结60天。", "payment_terms", "net 60"),
        ("他们希望用微信沟通。", "communication", "prefers WeChat"),
        ("希望在年底前上线。", "timeline", "go-live before year end"),
    ],
)
def test_preferences_get_a_category_and_a_normalised_value(
    text: str, category: str, value: str
) -> None:
    found = extract(text)
    assert [(p.category, p.value) for p in found.preferences] == [(category, value)]
    assert found.preferences[0].evidence[0].sentence == text


def test_a_negated_preference_is_dropped() -> None:
    assert extract("No public cloud.").preferences == []


def test_a_preference_belongs_to_the_person_who_states_it() -> None:
    [pref] = extract("Maria prefers to be contacted by phone.").preferences
    assert (pref.contact_id, pref.person, pref.value) == ("C1", "Maria Chen", "prefers phone")


def test_an_empty_note_states_nothing() -> None:
    assert extract("") == Extraction(extractor="offline")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_without_crashing_into_valid_types(text: str) -> None:
    found = extract(text)
    assert all(p.role and p.evidence for p in found.contacts)
    assert all(p.value for p in found.preferences)
