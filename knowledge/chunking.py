"""Sentence-aware chunking of long notes, so every chunk fits the embedding model.

all-MiniLM-L6-v2 reads at most 256 word pieces (``max_seq_length``) and silently
drops the rest, so a long note is cut into chunks of whole sentences of at most
``max_tokens`` estimated tokens, consecutive chunks sharing ``overlap`` sentences.
Short notes (the usual 1-3 sentences) stay one chunk. A single sentence longer than
the budget is cut on word boundaries.
"""

from __future__ import annotations

import re

MAX_TOKENS = 200
"""Token budget of one chunk; below the model's 256 to leave room for word pieces."""

OVERLAP_SENTENCES = 1
"""Sentences repeated at the start of the next chunk, so no statement loses its context."""

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])|\n\s*\n|\n(?=\s*[-*•])")
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|\w+|[^\w\s]")


def estimate_tokens(text: str) -> int:
    """Roughly count the model's tokens: words, punctuation marks and CJK characters."""
    return len(_TOKEN.findall(text))


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences (Latin and CJK end marks, blank lines, bullets)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def chunk_text(
    text: str, max_tokens: int = MAX_TOKENS, overlap: int = OVERLAP_SENTENCES
) -> list[str]:
    """Cut ``text`` into chunks of whole sentences within ``max_tokens`` (see module doc)."""
    sentences = [piece for s in split_sentences(text) for piece in _fit(s, max_tokens)]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences:
        tokens = estimate_tokens(sentence)
        if current and size + tokens > max_tokens:
            chunks.append(" ".join(current))
            current = current[-overlap:] if overlap else []
            size = sum(estimate_tokens(s) for s in current)
            if size + tokens > max_tokens:
                current, size = [], 0
        current.append(sentence)
        size += tokens
    if current:
        chunks.append(" ".join(current))
    return chunks


def _fit(sentence: str, max_tokens: int) -> list[str]:
    """Cut an over-long sentence on word boundaries into pieces within the budget."""
    if estimate_tokens(sentence) <= max_tokens:
        return [sentence]
    pieces: list[str] = []
    words: list[str] = []
    size = 0
    for word in _words(sentence, max_tokens):
        tokens = estimate_tokens(word)
        if words and size + tokens > max_tokens:
            pieces.append(" ".join(words))
            words, size = [], 0
        words.append(word)
        size += tokens
    if words:
        pieces.append(" ".join(words))
    return pieces


def _words(sentence: str, max_tokens: int) -> list[str]:
    """Whitespace words, with runs longer than the budget (e.g. CJK text) sliced."""
    words: list[str] = []
    for word in sentence.split():
        step = max_tokens if estimate_tokens(word) > max_tokens else len(word)
        words += [word[i : i + step] for i in range(0, len(word), step)]
    return words
