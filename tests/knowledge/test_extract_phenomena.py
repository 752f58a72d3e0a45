"""The offline extractor on phrasings found missing in the demo-world evaluation.

Every sentence here is written for this file (not copied from the demo phrase bank): each
test pins one linguistic phenomenon, and the negatives pin what must stay ``unknown``.
"""

from __future__ import annotations

import pytest

from knowledge.extract import KnownContact, OfflineExtractor
from knowledge.extract.text import split_sentences
from knowledge.extract.types import Extraction

BRIGHTPATH = (
    KnownContact("B1", "Anna Lind", "Office Manager"),
    KnownContact("B2", "Anna Weiss", "CFO"),
    KnownContact("B3", "Omar Haddad", "Finance Manager"),
    KnownContact("B4", "Rita Haddad", "Finance Manager"),
    KnownContact("B5", "Tom Berg", "IT Lead"),
    KnownContact("B6", "Priya Nair", "COO"),
    KnownContact("B7", "Kenji Watanabe", "CTO"),
)


def extract(text: str) -> Extraction:
    return OfflineExtractor().extract(text, note_id="N1", known_contacts=BRIGHTPATH)


def roles(text: str) -> dict[str, str]:
    return {p.name: p.role for p in extract(text).contacts}


def preferences(text: str) -> list[tuple[str, str]]:
    return [(p.category, p.value) for p in extract(text).preferences]


def test_a_shared_first_name_refers_to_the_person_already_named() -> None:
    text = "Lunch with Anna Lind. Anna screens every vendor pitch before it reaches the board."
    assert roles(text) == {"Anna Lind": "gatekeeper"}


def test_a_shared_first_name_before_any_full_name_refers_to_nobody() -> None:
    assert roles("Anna screens every vendor pitch.") == {}


def test_a_shared_title_refers_to_the_holder_already_named() -> None:
    text = "Call with Rita Haddad. The finance manager will validate the connectors in a sandbox."
    assert roles(text) == {"Rita Haddad": "technical_evaluator"}


def test_titles_and_company_names_are_not_taken_for_people() -> None:
    found = roles("Spoke to Omar Haddad, Finance Manager at Northwind Logistics GmbH.")
    assert found == {"Omar Haddad": "unknown"}


def test_a_courtesy_title_does_not_end_the_sentence() -> None:
    assert [s for _, s in split_sentences("Ms. Nair agreed. Dr. Berg did not.")] == [
        "Ms. Nair agreed.",
        "Dr. Berg did not.",
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("In the end it's up to Priya Nair.", "Priya Nair"),
        ("Sign-off rests with the COO.", "Priya Nair"),
        ("Kenji Watanabe decides on anything over 20k.", "Kenji Watanabe"),
        ("Any order above 10k needs Kenji Watanabe's approval.", "Kenji Watanabe"),
        ("Nothing is bought without Priya Nair, she holds the purse.", "Priya Nair"),
    ],
)
def test_decision_phrasings_give_the_decision_maker(text: str, name: str) -> None:
    assert roles(text)[name] == "decision_maker"


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("Tom Berg keeps lobbying the board on our behalf.", "Tom Berg", "champion"),
        ("Without Tom Berg backing us, the renewal would have stalled.", "Tom Berg", "champion"),
        ("Priya Nair is all for the switch.", "Priya Nair", "champion"),
        ("The COO tends to follow Tom Berg's advice on tooling.", "Tom Berg", "influencer"),
        ("Omar Haddad is quite influential with finance.", "Omar Haddad", "influencer"),
        ("Security questions go through Tom Berg.", "Tom Berg", "technical_evaluator"),
        ("Kenji Watanabe will lead the pilot next month.", "Kenji Watanabe", "technical_evaluator"),
        ("Procurement runs the process via Anna Weiss.", "Anna Weiss", "gatekeeper"),
        ("Calls to the board are filtered by Anna Lind.", "Anna Lind", "gatekeeper"),
        ("Anna Lind keeps the directors' calendars.", "Anna Lind", "gatekeeper"),
        ("Tom Berg is pushing for the other vendor.", "Tom Berg", "blocker"),
        ("Expect pushback from Omar Haddad on the migration.", "Omar Haddad", "blocker"),
        ("Omar Haddad has been stalling the contract for weeks.", "Omar Haddad", "blocker"),
        ("Rita Haddad sees no value in switching tools.", "Rita Haddad", "blocker"),
        ("Rita Haddad would plan the monthly close in the platform.", "Rita Haddad", "user"),
        ("Omar Haddad is a power user of their current system.", "Omar Haddad", "user"),
    ],
)
def test_role_phrasings_give_their_role(text: str, name: str, role: str) -> None:
    assert roles(text)[name] == role


def test_the_recommender_is_the_influencer_not_the_person_advised() -> None:
    found = roles("Tom Berg will make a recommendation to Priya Nair.")
    assert found == {"Tom Berg": "influencer", "Priya Nair": "unknown"}


def test_an_object_pronoun_listened_to_is_the_sentence_first_person() -> None:
    found = roles("Omar Haddad has no budget, but Priya Nair listens to him.")
    assert found == {"Omar Haddad": "influencer", "Priya Nair": "unknown"}


@pytest.mark.parametrize(
    "text",
    [
        "Omar Haddad thinks her recommendation usually decides it.",
        "Tom Berg is not the one who decides.",
        "Tom Berg did not push back on the price.",
        "Priya Nair went through the slides with us.",
        "We compared Omar Haddad's numbers against last year.",
    ],
)
def test_phrasings_that_state_no_role_leave_people_unknown(text: str) -> None:
    assert set(roles(text).values()) == {"unknown"}


@pytest.mark.parametrize(
    ("text", "category", "value"),
    [
        ("The rollout needs to be live by March.", "timeline", "go-live by March"),
        ("They want a pilot within six weeks.", "timeline", "pilot within six weeks"),
        ("Finance hopes for a launch next quarter.", "timeline", "launch next quarter"),
        ("Easiest way to contact Tom Berg is email.", "communication", "prefers email"),
        ("Priya Nair prefers the phone to anything written.", "communication", "prefers phone"),
        ("They mostly meet over Zoom calls.", "communication", "prefers video calls"),
        ("Their lawyers insist on hosting in Switzerland.", "deployment", "Switzerland hosting"),
        ("Legal wants UK data residency.", "deployment", "UK hosting"),
        ("Invoices are paid within forty-five days.", "payment_terms", "net 45"),
        ("They want to be billed once a month.", "payment_terms", "monthly billing"),
        ("Finance wants tiered pricing for the extra sites.", "pricing", "volume pricing"),
        ("A fixed-fee contract is what finance wants.", "pricing", "fixed price"),
        ("They won't sign without a connector to Jira.", "product", "Jira integration"),
        ("For them a deal-breaker is the lack of single sign-on.", "product", "single sign-on"),
        ("Single sign-on is a must for their IT team.", "product", "Single sign-on"),
    ],
)
def test_preference_phrasings_give_their_category_and_value(
    text: str, category: str, value: str
) -> None:
    assert (category, value) in preferences(text)


@pytest.mark.parametrize(
    "text",
    [
        "We spent an hour on the phone with Tom Berg.",
        "Tom Berg reports to the CTO and ran the evaluation.",
        "They went ahead without single sign-on last time and regret it.",
    ],
)
def test_sentences_that_state_no_preference_give_none(text: str) -> None:
    assert preferences(text) == []
