"""The Chroma side of the notes index: clients, our embedding function, the collection.

Chroma's default embedding function downloads a model; it must never run. So the
collection is always created *and reopened* with :class:`DealwiseEmbeddingFunction`
(registered with chromadb under ``dealwise``), which wraps our :class:`Embedder`.
The indexer and the search pass vectors they computed themselves, so the function is
only a guard. The collection remembers which embedder built it (``embedder``/``dim``
metadata); opening it with another one raises :class:`IndexMismatch` instead of
mixing vector spaces, a ``newest_ts`` stamp (no indexed note is later) that lets a
search skip the date condition, by far the costliest filter, when the analysis date is
past every note, and a ``scope_table`` stamp: the token of the
:class:`knowledge.scope_table.ScopeTable` that describes the collection (``""`` while
none does). This module imports chromadb: import it lazily.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.embeddings import Embedder, SentenceTransformerEmbedder

COLLECTION = "dealwise_notes"
NEWEST_KEY = "newest_ts"
"""Collection metadata: no indexed note is later than this epoch second (set by indexing)."""
SCOPE_KEY = "scope_table"
"""Collection metadata: the token of the scope table that matches the collection, or ``""``."""


class IndexMismatch(RuntimeError):
    """The collection was built with another embedding model: rebuild it (``--full``)."""


@register_embedding_function
class DealwiseEmbeddingFunction(EmbeddingFunction[Documents]):
    """chromadb's embedding-function protocol over one of our :class:`Embedder`."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        """Embed documents (or queries) with our embedder."""
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        """The name chromadb stores in the collection configuration."""
        return "dealwise"

    def default_space(self) -> Space:
        """Vectors are unit length: cosine distance."""
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        """Cosine only (scores are reported as cosine similarity)."""
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        """What rebuilds this function: the model path when it is a sentence-transformer."""
        path = getattr(self.embedder, "path", None)
        return {"embedder": self.embedder.name, "model_path": str(path) if path else None}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> DealwiseEmbeddingFunction:
        """Rebuild from :meth:`get_config` (loads nothing until called)."""
        return DealwiseEmbeddingFunction(SentenceTransformerEmbedder(config.get("model_path")))


def open_client(data_dir: Path | str, chroma_url: str | None = None) -> ClientAPI:
    """A Chroma server client when ``chroma_url`` is set, else a local folder store.

    The local store lives in ``<data_dir>/chroma``; telemetry is off either way.
    """
    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlsplit(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        ssl = url.scheme == "https"
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=settings,
        )
    path = Path(data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def open_collection(client: ClientAPI, embedder: Embedder, *, reset: bool = False) -> Collection:
    """Get (or create) the notes collection with our embedding function.

    ``reset`` drops it first (a full rebuild). Raises :class:`IndexMismatch` when the
    collection was built by another embedder.
    """
    if reset and any(c.name == COLLECTION for c in client.list_collections()):
        client.delete_collection(COLLECTION)
    function = DealwiseEmbeddingFunction(embedder)
    collection = client.get_or_create_collection(
        COLLECTION,
        configuration={"hnsw": {"space": "cosine"}},
        metadata={"embedder": embedder.name},
        embedding_function=function,  # type: ignore[arg-type]
    )
    built_with = (collection.metadata or {}).get("embedder")
    if built_with != embedder.name:
        raise IndexMismatch(
            f"the notes index was built with {built_with!r}, not {embedder.name!r}: "
            "rebuild it with `dealwise index --full`"
        )
    return collection


def stamp_newest(collection: Collection, newest_ts: int) -> None:
    """Record that no note in ``collection`` is later than ``newest_ts`` (epoch seconds)."""
    collection.modify(metadata={**(collection.metadata or {}), NEWEST_KEY: newest_ts})


def stamp_scope(collection: Collection, token: str) -> None:
    """Record which scope table describes ``collection`` (``""``: none, e.g. while writing)."""
    collection.modify(metadata={**(collection.metadata or {}), SCOPE_KEY: token})


def collection_metadata(client: ClientAPI, embedder: Embedder) -> dict[str, Any]:
    """The notes collection's metadata, read fresh from the store.

    Another process may have indexed since this one opened the collection.
    """
    function = DealwiseEmbeddingFunction(embedder)
    collection = client.get_collection(COLLECTION, embedding_function=function)  # type: ignore[arg-type]
    return dict(collection.metadata or {})
