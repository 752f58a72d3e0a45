"""Semantic search over the notes index: :class:`NoteIndex` and its scoped filters.

A :class:`NoteIndex` is cheap to create: Chroma is opened on the first use and the
embedding model loads on the first embedding, so an assistant can put one in every
:class:`tools.context.ToolContext` without paying for torch or chromadb until a
question needs the notes. Scope and the analysis date are part of the Chroma
``where`` filter (:func:`note_filter`), never applied after the fact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.embeddings import Embedder, SentenceTransformerEmbedder

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection


@dataclass(frozen=True)
class NoteHit:
    """One passage found: a chunk of a note with its metadata and cosine similarity."""

    activity_id: str
    chunk: int
    text: str
    score: float
    metadata: dict[str, Any]


def day_number(day: dt.date) -> int:
    """A date as the integer ``YYYYMMDD`` (Chroma range filters need numbers)."""
    return day.year * 10000 + day.month * 100 + day.day


def note_filter(
    *,
    owner_ids: frozenset[str] | None,
    before: dt.datetime | None,
    account_id: str | None = None,
    opportunity_id: str | None = None,
    contact_id: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[str, Any]:
    """The Chroma ``where`` filter of a scoped search.

    ``owner_ids`` is the caller's scope (``None`` for admins: no owner condition);
    ``before`` excludes notes at or after that instant (the end of ``as_of``; ``None``
    when no note is that late, see :meth:`NoteIndex.has_notes_from`); ``since``/``until``
    are inclusive calendar days.
    """
    conditions: list[dict[str, Any]] = []
    if before is not None:
        conditions.append({"occurred_ts": {"$lt": int(before.timestamp())}})
    if owner_ids is not None:
        conditions.append({"owner_id": {"$in": sorted(owner_ids) or [""]}})
    for key, value in (
        ("account_id", account_id),
        ("opportunity_id", opportunity_id),
        ("contact_id", contact_id),
    ):
        if value is not None:
            conditions.append({key: {"$eq": value}})
    if since is not None:
        conditions.append({"occurred_day": {"$gte": day_number(since)}})
    if until is not None:
        conditions.append({"occurred_day": {"$lte": day_number(until)}})
    if len(conditions) <= 1:
        return conditions[0] if conditions else {}
    return {"$and": conditions}


class NoteIndex:
    """The notes index: a lazily opened Chroma collection plus the embedder behind it."""

    def __init__(self, open_client: Callable[[], Any], embedder: Embedder) -> None:
        self._open_client = open_client
        self._client: Any = None
        self._collection: Collection | None = None
        self.embedder = embedder

    def collection(self, *, reset: bool = False) -> Collection:
        """The notes collection (opened on first use; ``reset`` drops and recreates it)."""
        if self._collection is None or reset:
            from knowledge.store import open_collection

            if self._client is None:
                self._client = self._open_client()
            self._collection = open_collection(self._client, self.embedder, reset=reset)
        return self._collection

    def count(self) -> int:
        """How many chunks the index holds."""
        return self.collection().count()

    def has_notes_from(self, instant: dt.datetime) -> bool:
        """Whether the index may hold a note at or after ``instant`` (read fresh each call)."""
        from knowledge.store import newest_note_ts

        self.collection()
        newest = newest_note_ts(self._client, self.embedder)
        return newest is None or newest >= instant.timestamp()

    def search(self, query: str, *, where: dict[str, Any], limit: int = 5) -> list[NoteHit]:
        """The ``limit`` best notes for ``query`` under ``where`` (one passage per note)."""
        vector = self.embedder.embed([query])
        found = self.collection().query(
            query_embeddings=vector,
            n_results=limit * 3,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        hits: dict[str, NoteHit] = {}
        for text, meta, distance in zip(
            (found["documents"] or [[]])[0],
            (found["metadatas"] or [[]])[0],
            (found["distances"] or [[]])[0],
            strict=True,
        ):
            activity_id = str(meta["activity_id"])
            if activity_id not in hits:
                score = round(1.0 - float(distance), 4)
                chunk = int(str(meta["chunk"]))
                hits[activity_id] = NoteHit(activity_id, chunk, text, score, dict(meta))
        return list(hits.values())[:limit]


def open_note_index(
    data_dir: Path | str,
    chroma_url: str | None = None,
    model_path: str | Path | None = None,
    embedder: Embedder | None = None,
) -> NoteIndex:
    """A :class:`NoteIndex` on ``<data_dir>/chroma`` or the Chroma server at ``chroma_url``.

    Opens nothing yet. ``model_path`` is a sentence-transformers folder (default: the
    packaged all-MiniLM-L6-v2); ``embedder`` overrides it (tests pass a fake).
    """

    def client() -> Any:
        from knowledge.store import open_client

        return open_client(data_dir, chroma_url)

    return NoteIndex(client, embedder or SentenceTransformerEmbedder(model_path))
