"""The LLM extractor with a scripted fake model: used when valid, offline fallback otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.extract import KnownContact
from knowledge.extract.llm import LLMExtractor

CONTACTS = (KnownContact("C1", "Maria Chen", "CFO"), KnownContact("C2", "Tom Berg", "IT Lead"))
NOTE = "Maria Chen will sign off, while Tom Berg in IT is checking security. They pay net 60."


class ScriptedModel:
    """Answers each call with the next scripted reply (an exception is raised)."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, prompt: str, schema: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((prompt, schema))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply  # type: ignore[no-any-return]


VALID = {
    "contacts": [
        {
            "name": "Maria",
            "role": "decision_maker",
            "stance": "supportive",
            "evidence": "Maria Chen will sign off, while Tom Berg in IT is checking security.",
        },
        {"name": "Steve Parker", "role": "unknown"},
    ],
    "preferences": [
        {
            "category": "payment_terms",
            "value": "net 60",
            "person": "the CFO",
            "evidence": "They pay net 60.",
        }
    ],
}


def test_valid_json_from_the_model_is_used_and_names_are_linked() -> None:
    found = LLMExtractor(ScriptedModel(VALID)).extract(NOTE, note_id="N1", known_contacts=CONTACTS)
    assert found.extractor == "llm"
    maria, steve = found.contacts
    assert (maria.contact_id, maria.name, maria.role, maria.stance) == (
        "C1",
        "Maria Chen",
        "decision_maker",
        "supportive",
    )
    assert (steve.contact_id, steve.role) == (None, "unknown")
    [pref] = found.preferences
    assert (pref.category, pref.value, pref.contact_id) == ("payment_terms", "net 60", "C1")
    assert pref.evidence[0].sentence == "They pay net 60."
    assert pref.evidence[0].note_id == "N1"


def test_the_prompt_carries_the_note_the_known_contacts_and_the_schema() -> None:
    model = ScriptedModel(VALID)
    LLMExtractor(model).extract(NOTE, known_contacts=CONTACTS)
    [(prompt, schema)] = model.calls
    assert NOTE in prompt and "Maria Chen (CFO)" in prompt
    assert set(schema["properties"]) == {"contacts", "preferences"}


def test_a_json_string_reply_is_parsed() -> None:
    import json

    found = LLMExtractor(ScriptedModel(json.dumps(VALID))).extract(NOTE, known_contacts=CONTACTS)
    assert found.extractor == "llm"


@pytest.mark.parametrize(
    "reply",
    [
        "this is not json",
        {"contacts": [{"name": "Maria Chen", "role": "ceo"}]},
        {"contacts": "Maria"},
        RuntimeError("connection reset"),
        TimeoutError("model timed out"),
    ],
    ids=["not-json", "role-outside-the-set", "wrong-shape", "client-error", "timeout"],
)
def test_any_model_failure_falls_back_to_the_offline_extractor(reply: Any) -> None:
    found = LLMExtractor(ScriptedModel(reply)).extract(NOTE, known_contacts=CONTACTS)
    assert found.extractor == "llm_fallback"
    assert {p.name: p.role for p in found.contacts} == {
        "Maria Chen": "decision_maker",
        "Tom Berg": "technical_evaluator",
    }


def test_evidence_the_note_does_not_contain_is_replaced_by_a_real_sentence() -> None:
    reply = {
        "contacts": [
            {"name": "Tom Berg", "role": "technical_evaluator", "evidence": "Tom said he loves us."}
        ]
    }
    found = LLMExtractor(ScriptedModel(reply)).extract(NOTE, known_contacts=CONTACTS)
    [tom] = found.contacts
    assert [e.sentence for e in tom.evidence] == [
        "Maria Chen will sign off, while Tom Berg in IT is checking security."
    ]
