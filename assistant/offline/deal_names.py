"""Full deal names in a question ("review the deal Acme Corp - Analytics Starter").

Deal names are long ("<account> - <product>", six words and more), so they are matched
as a whole rather than by the 1-4 word windows of :mod:`assistant.offline.matching`:
each name key is aligned against the normalised question with rapidfuzz's
``partial_ratio`` (the best-matching substring of the question, 0-100), and a name is
taken when it scores at least :data:`MIN_SCORE` (a typo or two). Among names at the
best score the longest wins (a name that is the start of a longer one loses to it);
several deals sharing that name are returned together, so the caller can ask back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from assistant.offline.vocab import Named

MIN_SCORE = 95.0
MIN_WORDS = 3
"""A deal name shorter than this many words is left to account and product matching."""


@dataclass(frozen=True)
class DealSpan:
    """Where a deal name sits in the question's tokens, and the deals bearing it."""

    start: int
    end: int
    key: str
    deals: tuple[Named, ...]


def match_deal_name(tokens: Sequence[str], keys: Sequence[str]) -> tuple[int, int, str] | None:
    """The span of ``tokens`` that spells one of ``keys`` (normalised deal names), if any."""
    text = " ".join(tokens)
    if len(tokens) < MIN_WORDS or not keys:
        return None
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    words = np.fromiter((k.count(" ") + 1 for k in keys), dtype=np.int64, count=len(keys))
    scores = process.cdist([text], list(keys), scorer=fuzz.partial_ratio, dtype=np.float32)[0]
    scores[(lengths > len(text)) | (words < MIN_WORDS)] = 0.0
    best = float(scores.max())
    if best < MIN_SCORE:
        return None
    tied = np.flatnonzero(scores == best)
    key = keys[int(tied[np.argmax(lengths[tied])])]
    hit = fuzz.partial_ratio_alignment(key, text)
    if hit is None:
        return None
    start = text[: hit.dest_start].count(" ")
    end = text[: hit.dest_end].rstrip().count(" ") + 1
    return start, end, key


def find_deal(
    tokens: Sequence[str], deals: Sequence[Named], keys: Sequence[str]
) -> DealSpan | None:
    """The caller's ``deals`` named in full in ``tokens`` (``keys``: their distinct name keys)."""
    found = match_deal_name(tokens, keys)
    if found is None:
        return None
    start, end, key = found
    return DealSpan(start, end, key, tuple(d for d in deals if d.key == key))
