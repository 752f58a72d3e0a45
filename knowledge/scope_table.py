"""The scope fields of every chunk in the notes index, as numpy columns.

Chroma's metadata filter is what makes a scoped search slow at 100k notes (35-100 ms
for one owner, 260 ms with a date condition; docs/knowledge.md), while a nearest
neighbour query restricted to given ids is fast (7-14 ms for 1,000-20,000 ids). So
indexing writes this table of the filter fields (owner, account, opportunity, contact,
time) next to the index, a search evaluates the scope filter over it in numpy
(:func:`knowledge.where.columns_mask`: the same rules as Chroma) and asks Chroma only
for the nearest of the chunks that pass.

The table is trusted only while it describes what the collection holds: it carries a
``token`` (a hash of its content) that indexing records in the collection's metadata
after writing it and clears before changing anything, so a search reads the token
fresh and falls back to Chroma's own filter when they differ (see
:meth:`knowledge.search.NoteIndex.search`). Whoever changes the collection and the
table (a full indexing run, a posted note) does it under :func:`table_lock`, so a
read-modify-write of the table never races another one, in this process or another.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from knowledge.where import Column, UnsupportedFilter, columns_mask

if TYPE_CHECKING:
    from pandas import DataFrame

TEXT_FIELDS = ("owner_id", "account_id", "opportunity_id", "contact_id")
NUMBER_FIELDS = ("occurred_ts", "occurred_day")


@dataclass(frozen=True)
class ScopeTable:
    """Chunk ids and their filter fields (``present`` says which chunk has the key)."""

    token: str
    ids: npt.NDArray[np.str_]
    values: Mapping[str, npt.NDArray[Any]]
    present: Mapping[str, npt.NDArray[np.bool_]]

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_records(
        cls, ids: list[str], records: Sequence[Mapping[str, Any]] | DataFrame
    ) -> ScopeTable:
        """A table of chunk ``ids`` from their metadata (dicts, or a frame in the same order)."""
        import pandas as pd

        frame = (
            records
            if isinstance(records, pd.DataFrame)
            else pd.DataFrame.from_records([dict(r) for r in records])
        )
        values: dict[str, npt.NDArray[Any]] = {}
        present: dict[str, npt.NDArray[np.bool_]] = {}
        for field in (*TEXT_FIELDS, *NUMBER_FIELDS):
            column = frame[field] if field in frame else pd.Series([None] * len(ids))
            present[field] = column.notna().to_numpy(dtype=bool)
            if field in TEXT_FIELDS:
                values[field] = column.fillna("").astype(str).to_numpy(dtype=np.str_)
            else:
                values[field] = pd.to_numeric(column, errors="coerce").fillna(0).to_numpy(np.int64)
        chunk_ids = np.asarray(ids, dtype=np.str_)
        return cls(_digest(chunk_ids, values, present), chunk_ids, values, present)

    @classmethod
    def from_collection(cls, collection: Any, page: int = 5000) -> ScopeTable:
        """The table of what a Chroma collection holds, read page by page.

        Slow (~16 s at 100k chunks): indexing derives its table from its own frame.
        """
        ids: list[str] = []
        metadatas: list[Mapping[str, Any]] = []
        while True:
            got = collection.get(include=["metadatas"], limit=page, offset=len(ids))
            ids += got["ids"]
            metadatas += got["metadatas"] or []
            if len(got["ids"]) < page:
                return cls.from_records(ids, metadatas)

    def allowed(self, where: dict[str, Any]) -> npt.NDArray[np.str_]:
        """The chunk ids that satisfy ``where`` (raises :class:`UnsupportedFilter`)."""

        def column_of(key: str, numeric: bool) -> Column:
            if key not in self.values or numeric != (key in NUMBER_FIELDS):
                raise UnsupportedFilter(f"the scope table cannot evaluate {key!r}")
            return self.present[key], self.values[key]

        ids: npt.NDArray[np.str_] = self.ids[columns_mask(where, len(self), column_of)]
        return ids

    def replacing(self, chunk_ids: Sequence[str], rows: ScopeTable) -> ScopeTable:
        """A copy without ``chunk_ids`` (nor the ids of ``rows``), with ``rows`` appended.

        How indexing one note updates the table without reading the whole collection.
        """
        keep = ~np.isin(self.ids, np.concatenate([np.asarray(chunk_ids, dtype=np.str_), rows.ids]))
        ids = np.concatenate([self.ids[keep], rows.ids])
        values = {k: np.concatenate([v[keep], rows.values[k]]) for k, v in self.values.items()}
        present = {k: np.concatenate([v[keep], rows.present[k]]) for k, v in self.present.items()}
        return ScopeTable(_digest(ids, values, present), ids, values, present)

    def save(self, path: Path) -> None:
        """Write the table to ``path`` (``.npz``; replaced atomically)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {"token": np.str_(self.token), "ids": self.ids}
        arrays |= {f"value_{k}": v for k, v in self.values.items()}
        arrays |= {f"present_{k}": v for k, v in self.present.items()}
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as out:
            np.savez(out, **arrays)
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> ScopeTable | None:
        """The table saved at ``path``, or ``None`` when there is none (or it is unreadable)."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                fields = (*TEXT_FIELDS, *NUMBER_FIELDS)
                return cls(
                    str(saved["token"]),
                    saved["ids"],
                    {k: saved[f"value_{k}"] for k in fields},
                    {k: saved[f"present_{k}"] for k in fields},
                )
        except (OSError, KeyError, ValueError):
            return None


_THREAD_LOCKS: dict[Path | None, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextmanager
def table_lock(path: Path | None) -> Iterator[None]:
    """Hold the right to change the collection's stamps and the table at ``path``.

    A lock per table among this process's threads, and an exclusive ``flock`` on
    ``<path>.lock`` among processes (``uvicorn --workers``, ``dealwise index``): a
    ``flock`` belongs to its open file, so each holder opens its own. ``None`` (a Chroma
    server, no table) serialises this process's writers only.
    """
    key = None if path is None else path.resolve()
    with _THREAD_LOCKS_GUARD:
        lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key is None:
            yield
            return
        key.parent.mkdir(parents=True, exist_ok=True)
        with key.with_name(key.name + ".lock").open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
            yield


def _digest(
    ids: npt.NDArray[np.str_],
    values: Mapping[str, npt.NDArray[Any]],
    present: Mapping[str, npt.NDArray[np.bool_]],
) -> str:
    """A content hash: equal tables get equal tokens, so a no-change run keeps caches."""
    digest = hashlib.blake2b(digest_size=16)
    for array in (ids, *values.values(), *present.values()):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()
