"""Typo tolerance for the words that carry intent ("forcast" -> "forecast", "quartr" -> "quarter").

A word the planner does not know (absent from the vocabulary it is checked against) of
at least :data:`MIN_LENGTH` letters is replaced by the closest known word when their
normalised Indel similarity (rapidfuzz ``ratio``, 0-100: one missing or swapped letter
in a 7-letter word scores about 92) reaches :data:`MIN_SCORE` and no other known word
scores as high. Known words, short words and anything ambiguous are left as typed, so a
correction can only turn an unreadable word into a readable one.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from rapidfuzz import fuzz, process

MIN_LENGTH = 5
MIN_SCORE = 85.0
_LETTERS = re.compile(r"[a-z]+")
PERIOD_UNITS = frozenset(["quarter", "month", "year", "week", "days", "weeks", "months"])
_AFTER_PERIOD_WORD = re.compile(r"\b(this|last|next|past|previous|current)(\s+\d*\s*)([a-z]+)")


def fix_typos(text: str, known: Collection[str]) -> str:
    """``text`` (lower-case) with misspelt words replaced by their ``known`` word."""
    return _LETTERS.sub(lambda m: _fixed(m[0], known), text)


def _fixed(word: str, known: Collection[str]) -> str:
    if len(word) < MIN_LENGTH or word in known:
        return word
    best = process.extract(word, known, scorer=fuzz.ratio, score_cutoff=MIN_SCORE, limit=2)
    if not best or (len(best) > 1 and best[1][1] == best[0][1]):
        return word
    return str(best[0][0])


def fix_period_units(text: str) -> str:
    """``text`` with a misspelt unit after "this/last/next..." corrected ("this quartr").

    Only the word right after such a word is touched, so a name is never "corrected".
    """
    return _AFTER_PERIOD_WORD.sub(lambda m: m[1] + m[2] + _fixed(m[3], PERIOD_UNITS), text)
