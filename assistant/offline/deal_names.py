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
from numpy.typing import NDArray
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


@dataclass(frozen=True)
class DealKeys:
    """Distinct normalised deal names with their lengths, ready to match (built once per book)."""

    keys: tuple[str, ...]
    lengths: NDArray[np.int64]
    long_enough: NDArray[np.bool_]

    @classmethod
    def of(cls, keys: Sequence[str]) -> DealKeys:
        """Prepare ``keys``; names under :data:`MIN_WORDS` words are never matched."""
        lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
        words = np.fromiter((k.count(" ") + 1 for k in keys), dtype=np.int64, count=len(keys))
        return cls(tuple(keys), lengths, words >= MIN_WORDS)


def match_deal_name(tokens: Sequence[str], keys: DealKeys) -> tuple[int, int, str] | None:
    """The span of ``tokens`` that spells one of ``keys`` (normalised deal names), if any."""
    text = " ".join(tokens)
    if len(tokens) < MIN_WORDS or not keys.keys:
        return None
    scores = process.cdist(
        [text], keys.keys, scorer=fuzz.partial_ratio, dtype=np.float32, score_cutoff=MIN_SCORE
    )[0]
    scores[(keys.lengths > len(text)) | ~keys.long_enough] = 0.0
    best = float(scores.max())
    if best < MIN_SCORE:
        return None
    tied = np.flatnonzero(scores == best)
    key = keys.keys[int(tied[np.argmax(keys.lengths[tied])])]
    hit = fuzz.partial_ratio_alignment(key, text)
    if hit is None:
        return None
    start = text[: hit.dest_start].count(" ")
    end = text[: hit.dest_end].rstrip().count(" ") + 1
    return start, end, key


def find_deal(tokens: Sequence[str], deals: Sequence[Named], keys: DealKeys) -> DealSpan | None:
    """The caller's ``deals`` named in full in ``tokens`` (``keys``: their distinct name keys)."""
    found = match_deal_name(tokens, keys)
    if found is None:
        return None
    start, end, key = found
    return DealSpan(start, end, key, tuple(d for d in deals if d.key == key))
