"""Knowledge-layer fixtures: a deterministic fake embedder every knowledge test can use."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from knowledge.embeddings import Vectors

_WORD = re.compile(r"[\u3400-\u9fff]|\w+")


class FakeEmbedder:
    """Hashes a bag of lower-cased words into ``dim`` buckets and normalises.

    Texts sharing words get similar vectors, so search results are predictable;
    ``calls`` and ``texts_embedded`` count the work done (incremental indexing tests).
    """

    name = "fake-hash-384"
    dim = 384

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: list[str]) -> Vectors:
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        out[~out.any(axis=1), 0] = 1.0  # a text without words still gets a unit vector
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    """A fresh fake embedder (its counters start at zero)."""
    return FakeEmbedder()
