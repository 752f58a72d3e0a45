"""Sentence splitting and negation for English and Chinese notes."""

from __future__ import annotations

import re

_ABBREVIATIONS = ("Mr", "Ms", "Mrs", "Dr", "Prof", "St", "vs", "approx", "e.g", "i.e")
_SENTENCE_END = re.compile(
    "".join(rf"(?<!\b{re.escape(a)}\.)" for a in _ABBREVIATIONS)
    + r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\u4e00-\u9fff])|(?<=[。！？])\s*"
)
_NEGATION_EN = re.compile(
    r"\b(?:not|never|no|cannot|can't|won't|isn't|wasn't|doesn't|don't|didn't|"
    r"no longer|neither|nor|without|nothing)\b|n't\b",
    re.IGNORECASE,
)
_NEGATION_ZH = re.compile(r"[不没未]|并非")
_WITHOUT = re.compile(r"\bwithout\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;,:—，；：]|\b(?:but|while|whereas|although|though)\b")


def split_sentences(text: str) -> list[tuple[int, str]]:
    """The sentences of ``text`` with their start offsets (English and Chinese punctuation)."""
    out: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        _append(out, text, start, match.start())
        start = match.end()
    _append(out, text, start, len(text))
    return out


def _append(out: list[tuple[int, str]], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        out.append((start + chunk.index(stripped), stripped))


def is_negated(sentence: str, cue_start: int) -> bool:
    """Whether the cue starting at ``cue_start`` is negated within its clause.

    A negation counts when it appears in the few words before the cue and no clause
    break (comma, semicolon, "but", "while") separates it from the cue. A negated
    "without" is a requirement, not a negation: in "they won't go ahead without SSO"
    the cue (SSO) is not negated.
    """
    window = sentence[max(0, cue_start - 28) : cue_start]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    negations = list(_NEGATION_EN.finditer(window))
    if negations:
        double = len(negations) >= 2 and _WITHOUT.fullmatch(negations[-1].group(0))
        return not double
    zh_window = sentence[max(0, cue_start - 3) : cue_start]
    return bool(_NEGATION_ZH.search(zh_window))
