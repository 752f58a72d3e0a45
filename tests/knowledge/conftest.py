"""Knowledge-layer fixtures: a deterministic fake embedder every knowledge test can use."""

from __future__ import annotations

import pytest

from knowledge.embeddings import HashEmbedder, Vectors


class FakeEmbedder(HashEmbedder):
    """The hash embedder, counting the work done (incremental indexing tests)."""

    name = "fake-hash-384"

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: list[str]) -> Vectors:
        self.calls += 1
        self.texts_embedded += len(texts)
        return super().embed(texts)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    """A fresh fake embedder (its counters start at zero)."""
    return FakeEmbedder()
