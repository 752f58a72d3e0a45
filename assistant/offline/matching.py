"""Fuzzy matching of question spans against names (rapidfuzz), with ties kept for asking back.

The question is normalised like account names (:func:`tools.accounts.normalise_name`)
and cut into windows of 1-4 words. Each window is scored against every name key with
rapidfuzz's ``ratio`` (0-100; a typo or two in a long name stays above the cut-off); a
window equal to the first words of a longer name ("nordwind" for "Nordwind Industries",
"vertex finance" for "Vertex Finance Co., Ltd. (Shanghai)") scores :data:`PREFIX_SCORE`.
The longest (then best-scoring) non-overlapping windows win, and all names tied at a
window's best score are returned together, so the caller can ask back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from assistant.offline.vocab import Named

MAX_WINDOW = 4
PREFIX_SCORE = 95.0
MIN_SCORE = 88.0
MIN_SCORE_ONE_WORD = 92.0

# Words that never start or end a name span on their own.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "about",
        "any",
        "at",
        "be",
        "by",
        "can",
        "could",
        "deal",
        "deals",
        "do",
        "does",
        "for",
        "from",
        "give",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "show",
        "tell",
        "that",
        "the",
        "their",
        "them",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "account",
        "accounts",
        "customer",
        "customers",
        "review",
        "renewal",
        "team",
        "teams",
        "rep",
        "reps",
        "pipeline",
        "forecast",
        "about",
        "same",
        "all",
        "book",
        "top",
        "best",
        "worst",
        "last",
        "next",
        "this",
        "quarter",
        "year",
        "month",
        "week",
        "days",
        "please",
        "accountname",
        "repname",
        "teamname",
        "productname",
        "contactname",
        "period",
        "segmentname",
        "dealname",
        "noteid",
    ]
)


@dataclass(frozen=True)
class SpanMatch:
    """A span of the question and the names it matches equally well."""

    start: int
    end: int
    score: float
    names: tuple[Named, ...]

    @property
    def unique(self) -> Named | None:
        """The one name matched, or ``None`` when several tie."""
        return self.names[0] if len(self.names) == 1 else None


def windows(tokens: Sequence[str]) -> list[tuple[int, int, str]]:
    """Every span of 1-4 tokens that neither starts nor ends with a stopword."""
    out = []
    for size in range(1, MAX_WINDOW + 1):
        for start in range(len(tokens) - size + 1):
            end = start + size
            if tokens[start] in STOPWORDS or tokens[end - 1] in STOPWORDS:
                continue
            out.append((start, end, " ".join(tokens[start:end])))
    return out


@dataclass(frozen=True)
class NameIndex:
    """Names prepared for matching: their keys and, per leading words, the names they start."""

    names: tuple[Named, ...]
    keys: tuple[str, ...]
    starts: dict[str, list[int]]

    @classmethod
    def of(cls, names: Sequence[Named]) -> NameIndex:
        """Index ``names`` (once per vocabulary: a book holds thousands of names)."""
        keys = tuple(n.key for n in names)
        starts: dict[str, list[int]] = {}
        for j, key in enumerate(keys):
            words = key.split()
            for k in range(1, len(words)):
                starts.setdefault(" ".join(words[:k]), []).append(j)
        return cls(tuple(names), keys, starts)


def match_names(
    tokens: Sequence[str], names: NameIndex | Sequence[Named], *, prefixes: bool = True
) -> list[SpanMatch]:
    """The best non-overlapping spans of ``tokens`` naming something in ``names``."""
    index = names if isinstance(names, NameIndex) else NameIndex.of(names)
    spans = windows(tokens)
    if not spans or not index.names:
        return []
    # Scores under the lowest cut-off can never win: rapidfuzz may skip computing them.
    scores = process.cdist(
        [s[2] for s in spans], index.keys, scorer=fuzz.ratio, dtype=np.float32,
        score_cutoff=min(MIN_SCORE, MIN_SCORE_ONE_WORD),
    )  # fmt: skip
    if prefixes:
        for i, (_, _, text) in enumerate(spans):
            hit = index.starts.get(text)
            if hit:
                scores[i, hit] = np.maximum(scores[i, hit], PREFIX_SCORE)
    sizes = np.array([e - s for s, e, _ in spans])
    cutoff = np.where(sizes == 1, MIN_SCORE_ONE_WORD, MIN_SCORE)
    best = scores.max(axis=1)
    order = sorted(
        (i for i in range(len(spans)) if best[i] >= cutoff[i]), key=lambda i: (-sizes[i], -best[i])
    )
    taken: set[int] = set()
    found = []
    for i in order:
        start, end, _ = spans[i]
        if taken & set(range(start, end)):
            continue
        taken |= set(range(start, end))
        tied = np.flatnonzero(scores[i] == best[i])
        found.append(
            SpanMatch(start, end, float(best[i]), tuple(index.names[int(j)] for j in tied))
        )
    return sorted(found, key=lambda m: m.start)
