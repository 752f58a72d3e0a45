"""Semantic search over the notes index: :class:`NoteIndex` and its scoped filters.

A :class:`NoteIndex` is cheap to create: Chroma is opened on the first use and the
embedding model loads on the first embedding, so an assistant can put one in every
:class:`tools.context.ToolContext` without paying for torch or chromadb until a
question needs the notes. Scope and the analysis date are a Chroma ``where`` filter
(:func:`note_filter`). Chroma's metadata filter is slow (35-450 ms at 100k notes), so
a filtered search avoids it, in this order (:meth:`NoteIndex.search`):

1. the scope table (:mod:`knowledge.scope_table`, written by indexing) gives the ids of
   the chunks that pass the whole filter; Chroma's nearest-neighbour query restricted
   to those ids (or, for a handful, exact distances in numpy) answers;
2. else, for a broad scope, Chroma returns a small candidate pool under only the fast,
   selective part of the filter (:func:`pre_filter`) and the whole filter is applied
   in numpy (:func:`where_mask`);
3. else Chroma's own filtered query runs.

Each path returns what Chroma's filtered query returns (tested), and every hit is
checked against the filter before it is returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.embeddings import Embedder, SentenceTransformerEmbedder, Vectors
from knowledge.scope_table import ScopeTable
from knowledge.where import UnsupportedFilter as UnsupportedFilter
from knowledge.where import where_mask as where_mask

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


POOL_FACTOR = 10
"""Candidates fetched per chunk wanted before filtering in numpy (0: never post-filter).

Fetching candidates costs ~0.13 ms each at 100k notes (metadata and text), so the pool
stays small: 150 for a default search (docs/knowledge.md)."""

SCOPE_FILE = "notes_scope.npz"
"""The scope table's file in the data folder (see :mod:`knowledge.scope_table`)."""

_CHEAP_KEYS = ("account_id", "opportunity_id", "contact_id")
"""Equality conditions Chroma filters fast and that select few notes."""


def pre_filter(where: dict[str, Any]) -> dict[str, Any] | None:
    """The part of ``where`` Chroma should apply before the pool is post-filtered.

    An account, opportunity or contact equality (fast and very selective), else a
    single-owner condition; ``{}`` (no filter) for the rest: many owners and dates,
    the conditions Chroma filters slowly. ``None`` when ``where`` is a single fast
    condition: Chroma's filtered query is then the quickest answer.
    """
    conditions = where.get("$and", [where])
    cheap = [c for c in conditions if next(iter(c)) in _CHEAP_KEYS]
    owners = [c for c in conditions if len(c.get("owner_id", {}).get("$in", [])) == 1]
    chosen = (cheap or owners or [{}])[0]
    return None if chosen == where else chosen


ID_QUERY_MAX = 20_000
"""At most this many allowed chunks go to Chroma as an id list (and at most a quarter of
the index): beyond that the scope is broad and the candidate pool is cheaper."""

BRUTE_FORCE_MAX = 200
"""Up to this many allowed chunks are ranked in numpy: Chroma's id-restricted query
walks most of its graph to find a handful of ids (65-70 ms at 100k notes for 20-100
ids, against 2-7 ms to fetch and rank them; docs/knowledge.md)."""


class NoteIndex:
    """The notes index: a lazily opened Chroma collection plus the embedder behind it.

    ``scope_path`` is where indexing writes the :class:`ScopeTable` (``None``: no table,
    searches use Chroma's filters).
    """

    def __init__(
        self, open_client: Callable[[], Any], embedder: Embedder, scope_path: Path | None = None
    ) -> None:
        self._open_client = open_client
        self._client: Any = None
        self._collection: Collection | None = None
        self._scope: ScopeTable | None = None
        self.embedder = embedder
        self.pool_factor = POOL_FACTOR
        self.scope_path = scope_path

    def collection(self, *, reset: bool = False, fresh: bool = False) -> Collection:
        """The notes collection (opened on first use; ``reset`` drops and recreates it).

        ``fresh`` reopens it: its metadata is read again, as another process may have
        stamped it, and a stamp writes the whole metadata back (indexing, under
        :func:`knowledge.scope_table.table_lock`).
        """
        if self._collection is None or reset or fresh:
            from knowledge.store import open_collection

            if self._client is None:
                self._client = self._open_client()
            self._collection = open_collection(self._client, self.embedder, reset=reset)
        return self._collection

    def count(self) -> int:
        """How many chunks the index holds."""
        return self.collection().count()

    def _metadata(self) -> dict[str, Any]:
        """The collection's metadata, read fresh (another process may have indexed)."""
        from knowledge.store import collection_metadata

        self.collection()
        return collection_metadata(self._client, self.embedder)

    def has_notes_from(self, instant: dt.datetime) -> bool:
        """Whether the index may hold a note at or after ``instant`` (read fresh each call)."""
        from knowledge.store import NEWEST_KEY

        newest = self._metadata().get(NEWEST_KEY)
        return not isinstance(newest, int | float) or newest >= instant.timestamp()

    def save_scope_table(self, table: ScopeTable | None) -> None:
        """Write ``table`` and record it in the collection; ``None`` withdraws the current one.

        Indexing withdraws the table before it changes the collection and saves the new
        one after, so no search trusts a table that no longer describes the collection.
        """
        from knowledge.store import stamp_scope

        if self.scope_path is None:
            return
        if table is None:
            stamp_scope(self.collection(), "")
            return
        table.save(self.scope_path)
        stamp_scope(self.collection(), table.token)
        self._scope = table

    def scope_table(self) -> ScopeTable | None:
        """The scope table that describes the collection now, or ``None`` (checked each call)."""
        from knowledge.store import SCOPE_KEY

        if self.scope_path is None:
            return None
        token = self._metadata().get(SCOPE_KEY)
        if not token:
            return None
        if self._scope is None or self._scope.token != token:
            self._scope = ScopeTable.load(self.scope_path)
        return self._scope if self._scope is not None and self._scope.token == token else None

    def search(self, query: str, *, where: dict[str, Any], limit: int = 5) -> list[NoteHit]:
        """The ``limit`` best notes for ``query`` under ``where`` (one passage per note).

        The best ``3 * limit`` chunks under ``where`` come from the scope table's ids
        (:meth:`_scoped`), else from a post-filtered pool (:meth:`_post_filtered`), else
        from Chroma's filtered query (see the module doc).
        """
        vector = self.embedder.embed([query])
        wanted = limit * 3
        found = None
        if where:
            found = self._scoped(vector, where, wanted) or self._post_filtered(
                vector, where, wanted
            )
        if found is None:
            found = self._query(vector, wanted, where or None)
        hits: dict[str, NoteHit] = {}
        for text, meta, distance in zip(*found, strict=True):
            activity_id = str(meta["activity_id"])
            if activity_id not in hits:
                score = round(1.0 - float(distance), 4)
                chunk = int(str(meta["chunk"]))
                hits[activity_id] = NoteHit(activity_id, chunk, text, score, dict(meta))
        return list(hits.values())[:limit]

    def _query(
        self, vector: Vectors, n: int, where: dict[str, Any] | None, ids: list[str] | None = None
    ) -> _Found:
        """Chroma's nearest ``n`` chunks under ``where`` or among ``ids``."""
        found = self.collection().query(
            query_embeddings=vector,
            n_results=n,
            where=where,
            ids=ids,
            include=["documents", "metadatas", "distances"],
        )
        return (
            list((found["documents"] or [[]])[0]),
            [dict(m) for m in (found["metadatas"] or [[]])[0]],
            list((found["distances"] or [[]])[0]),
        )

    def _nearest_among(self, vector: Vectors, ids: list[str], n: int) -> _Found:
        """The nearest ``n`` of a few chunks by exact cosine distance, as Chroma reports it.

        Chroma's cosine distance of unit vectors is ``1 - u.v``; ties keep storage order.
        """
        got = self.collection().get(ids=ids, include=["embeddings", "documents", "metadatas"])
        stored = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
        distances = 1.0 - stored @ vector[0]
        best = np.argsort(distances, kind="stable")[:n]
        texts, metas = got["documents"] or [], got["metadatas"] or []
        return (
            [texts[i] for i in best],
            [dict(metas[i]) for i in best],
            [float(distances[i]) for i in best],
        )

    def _scoped(self, vector: Vectors, where: dict[str, Any], wanted: int) -> _Found | None:
        """The nearest ``wanted`` chunks among those the scope table lets through.

        ``None`` (use another path) without a current scope table, for a filter the
        table cannot evaluate, for a broad scope (over :data:`ID_QUERY_MAX` or a
        quarter of the index), when Chroma no longer holds a listed chunk, or when a
        hit fails ``where`` (a table gone stale: its hits are never returned).
        """
        from chromadb.errors import ChromaError

        table = self.scope_table()
        if table is None:
            return None
        try:
            allowed = table.allowed(where).tolist()
        except UnsupportedFilter:
            return None
        if len(allowed) > min(ID_QUERY_MAX, len(table) // 4):
            return None
        if not allowed:
            return [], [], []
        try:
            if len(allowed) <= BRUTE_FORCE_MAX:
                found = self._nearest_among(vector, allowed, wanted)
            else:
                found = self._query(vector, min(wanted, len(allowed)), None, ids=allowed)
        except ChromaError:
            return None
        return found if where_mask(where, found[1]).all() else None

    def _post_filtered(self, vector: Vectors, where: dict[str, Any], wanted: int) -> _Found | None:
        """The nearest ``wanted`` chunks under ``where`` from a candidate pool, or ``None``.

        The pool is the ``pool_factor * wanted`` nearest chunks under :func:`pre_filter`
        (a condition implied by ``where``); :func:`where_mask` then applies all of
        ``where``. ``None`` (use Chroma's filtered query) when ``where`` is one fast
        condition, is not one :func:`where_mask` evaluates, or fewer than ``wanted``
        pool chunks pass while the pool was full (a closer passing chunk may lie
        outside it).
        """
        pool = wanted * self.pool_factor
        pre = pre_filter(where)
        if pool <= wanted or pre is None:
            return None
        texts, metas, distances = self._query(vector, pool, pre or None)
        try:
            keep = np.flatnonzero(where_mask(where, metas))[:wanted]
        except UnsupportedFilter:
            return None
        if len(keep) < wanted and len(metas) >= pool:
            return None
        return [texts[i] for i in keep], [metas[i] for i in keep], [distances[i] for i in keep]


_Found = tuple[list[str], list[dict[str, Any]], list[float]]


def open_note_index(
    data_dir: Path | str,
    chroma_url: str | None = None,
    model_path: str | Path | None = None,
    embedder: Embedder | None = None,
) -> NoteIndex:
    """A :class:`NoteIndex` on ``<data_dir>/chroma`` or the Chroma server at ``chroma_url``.

    Opens nothing yet. With the local store, indexing keeps the scope table in
    ``<data_dir>/notes_scope.npz``; with a server nothing is written locally (other
    machines may index into it), so searches use Chroma's filters.
    ``model_path`` is a sentence-transformers folder (default: the
    packaged all-MiniLM-L6-v2); ``embedder`` overrides it (tests pass a fake).
    """

    def client() -> Any:
        from knowledge.store import open_client

        return open_client(data_dir, chroma_url)

    scope_path = None if chroma_url else Path(data_dir) / SCOPE_FILE
    return NoteIndex(client, embedder or SentenceTransformerEmbedder(model_path), scope_path)
