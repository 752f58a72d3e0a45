"""Follow-ups in a thread: what "it", "same for Marcus" and "what about Q4" refer to.

The thread's focus (``ThreadMemory.focus``) holds the last turn's intent and the ids it
was about. A question that is only a follow-up frame plus entities ("same for Marcus",
"and for next quarter?", "what about Lakeside?") repeats the last intent with the new
entities; a question that points back ("what should I do about it?", "who decides
there?") takes the account or deal in focus.
"""

from __future__ import annotations

import re

FOCUS_KEYS = ("intent", "account_id", "opportunity_id", "owner_id", "team", "period")
_FRAME = re.compile(r"^(?:and|so|ok|okay|now)?\s*(?:the\s+)?(?:same|what about|how about|for)?\b")
_FILLER = frozenset(
    [
        "and",
        "same",
        "what",
        "how",
        "about",
        "for",
        "the",
        "please",
        "then",
        "too",
        "also",
        "as",
        "well",
        "s",
        "one",
        "ones",
        "there",
        "accountname",
        "repname",
        "teamname",
        "productname",
        "period",
        "segmentname",
        "dealname",
    ]
)
_POINTER = re.compile(r"\b(it|its|there|this|that|them|they|their|he|she|him|her)\b")


def carried_intent(masked: str, focus: dict[str, str]) -> str | None:
    """The last turn's intent when the question is a bare follow-up frame plus entities."""
    intent = focus.get("intent")
    words = masked.split()
    if not intent or not words or not _FRAME.match(masked):
        return None
    if words[0] not in {"same", "and", "what", "how", "for"}:
        return None
    names_something = any(w in _FILLER and w.endswith(("name", "period")) for w in words)
    return intent if names_something and all(w in _FILLER for w in words) else None


def points_back(masked: str) -> bool:
    """Whether the question refers to something said before ("it", "there", "them")."""
    return bool(_POINTER.search(masked))


def new_focus(intent: str, args: dict[str, object], extra: dict[str, str]) -> dict[str, str]:
    """The focus after a turn: its intent and the ids it was about ("" clears a key)."""
    focus = {key: "" for key in FOCUS_KEYS}
    focus["intent"] = intent
    for key in FOCUS_KEYS[1:]:
        value = args.get(key)
        if value is not None:
            focus[key] = str(value)
    focus.update({k: v for k, v in extra.items() if v})
    return focus
