"""Semantic search over the notes index: :class:`NoteIndex` and its scoped filters.

A :class:`NoteIndex` is cheap to create: Chroma is opened on the first use and the
embedding model loads on the first embedding, so an assistant can put one in every
:class:`tools.context.ToolContext` without paying for torch or chromadb until a
question needs the notes. Scope and the analysis date are a Chroma ``where`` filter
(:func:`note_filter`). Chroma's metadata pre-filter is slow (35-450 ms at 100k notes),
so a filtered search first asks Chroma for a small pool of candidates under only the
fast, selective part of the filter (:func:`pre_filter`: none for many owners or dates)
and applies the whole filter exactly in numpy (:func:`where_mask`); only when too few
candidates survive does it run Chroma's full filtered query (:meth:`NoteIndex.search`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from knowledge.embeddings import Embedder, SentenceTransformerEmbedder, Vectors

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

_CHEAP_KEYS = ("account_id", "opportunity_id", "contact_id")
"""Equality conditions Chroma filters fast and that select few notes."""

_COMPARE: dict[str, Callable[[npt.NDArray[Any], Any], npt.NDArray[np.bool_]]] = {
    "$eq": lambda values, x: values == x,
    "$in": lambda values, x: np.isin(values, list(x)),
    "$lt": lambda values, x: values < x,
    "$gte": lambda values, x: values >= x,
    "$lte": lambda values, x: values <= x,
}


class UnsupportedFilter(ValueError):
    """A ``where`` filter :func:`where_mask` cannot evaluate (Chroma must apply it)."""


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


def where_mask(where: dict[str, Any], metadatas: list[dict[str, Any]]) -> npt.NDArray[np.bool_]:
    """Which ``metadatas`` satisfy the Chroma ``where`` filter, exactly as Chroma would.

    Supports what :func:`note_filter` builds: ``$and`` of single-key conditions with
    ``$eq``, ``$in``, ``$lt``, ``$gte`` or ``$lte``. A chunk missing the key fails the
    condition. Raises :class:`UnsupportedFilter` for anything else.
    """
    if not where:
        return np.ones(len(metadatas), dtype=bool)
    if set(where) == {"$and"}:
        masks = [where_mask(part, metadatas) for part in where["$and"]]
        both: npt.NDArray[np.bool_] = np.logical_and.reduce([where_mask({}, metadatas), *masks])
        return both
    if len(where) != 1:
        raise UnsupportedFilter(f"cannot evaluate {where!r}")
    ((key, condition),) = where.items()
    if not isinstance(condition, dict) or len(condition) != 1 or key.startswith("$"):
        raise UnsupportedFilter(f"cannot evaluate {where!r}")
    ((op, value),) = condition.items()
    if op not in _COMPARE:
        raise UnsupportedFilter(f"cannot evaluate operator {op!r}")
    present = np.array([key in m for m in metadatas], dtype=bool)
    kind = object if op in ("$eq", "$in") else np.int64
    try:
        values = np.array([m.get(key, 0) for m in metadatas], dtype=kind)
    except (TypeError, ValueError) as exc:  # a non-numeric value under a range condition
        raise UnsupportedFilter(f"cannot evaluate {where!r}") from exc
    mask: npt.NDArray[np.bool_] = present & np.asarray(_COMPARE[op](values, value), dtype=bool)
    return mask


class NoteIndex:
    """The notes index: a lazily opened Chroma collection plus the embedder behind it."""

    def __init__(self, open_client: Callable[[], Any], embedder: Embedder) -> None:
        self._open_client = open_client
        self._client: Any = None
        self._collection: Collection | None = None
        self.embedder = embedder
        self.pool_factor = POOL_FACTOR

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
        """The ``limit`` best notes for ``query`` under ``where`` (one passage per note).

        The best ``3 * limit`` chunks under ``where`` are found among the
        ``pool_factor * 3 * limit`` nearest chunks under a cheaper filter that ``where``
        implies when enough of them pass ``where`` (the nearest passing ones are then
        exactly the filtered query's answer), else by Chroma's filtered query.
        """
        vector = self.embedder.embed([query])
        wanted = limit * 3
        found = self._post_filtered(vector, where, wanted) if where else None
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

    def _query(self, vector: Vectors, n: int, where: dict[str, Any] | None) -> _Found:
        """Chroma's nearest ``n`` chunks under ``where``: (texts, metadatas, distances)."""
        found = self.collection().query(
            query_embeddings=vector,
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return (
            list((found["documents"] or [[]])[0]),
            [dict(m) for m in (found["metadatas"] or [[]])[0]],
            list((found["distances"] or [[]])[0]),
        )

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

    Opens nothing yet. ``model_path`` is a sentence-transformers folder (default: the
    packaged all-MiniLM-L6-v2); ``embedder`` overrides it (tests pass a fake).
    """

    def client() -> Any:
        from knowledge.store import open_client

        return open_client(data_dir, chroma_url)

    return NoteIndex(client, embedder or SentenceTransformerEmbedder(model_path))
