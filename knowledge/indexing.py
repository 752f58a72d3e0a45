"""Incremental indexing of the notes (activities with a body) into the Chroma index.

The SQL store is the source of truth. Each note is compared with what the index
holds through two hashes kept in every chunk's metadata: ``text_hash`` (subject and
body: what gets embedded) and ``meta_hash`` (account, opportunity, contact, author,
owner, kind, time). New notes and notes whose text changed are (re-)chunked and
embedded; notes whose metadata alone changed (e.g. the account moved to another
rep) get their metadata rewritten without embedding; notes gone from the store are
removed; everything else is left alone, so re-running is cheap and never duplicates.
A note whose chunks are incomplete (an interrupted run) counts as changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session, col

from crm.models import Account, Activity, Opportunity
from knowledge.chunking import chunk_text
from knowledge.search import NoteIndex
from knowledge.store import NEWEST_KEY, stamp_newest

BATCH_SIZE = 64
"""Chunks embedded and written per call."""

_META = ["account_id", "opportunity_id", "contact_id", "user_id", "owner_id", "kind"]
_PAGE = 5000


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did (counts of notes, except ``chunks_embedded``)."""

    added: int
    reembedded: int
    relabelled: int
    deleted: int
    unchanged: int
    chunks_embedded: int


Progress = Callable[[int, int], None]
"""Called with (chunks done, chunks to embed) as batches are written."""


def load_notes(session: Session) -> pd.DataFrame:
    """Every activity with a non-empty body, with its owner and the two hashes.

    The owner (whose scope may see the note) is the opportunity's owner, else the
    account's, else the author's. The account falls back to the opportunity's.
    """
    stmt: Any = (
        select(
            col(Activity.id).label("activity_id"),
            col(Activity.kind),
            col(Activity.occurred_at),
            func.coalesce(Activity.account_id, Opportunity.account_id).label("account_id"),
            col(Activity.opportunity_id),
            col(Activity.contact_id),
            col(Activity.user_id),
            func.coalesce(Opportunity.owner_id, Account.owner_id, Activity.user_id).label(
                "owner_id"
            ),
            col(Activity.subject),
            col(Activity.body),
        )
        .outerjoin(Opportunity, col(Activity.opportunity_id) == col(Opportunity.id))
        .outerjoin(
            Account,
            func.coalesce(Activity.account_id, Opportunity.account_id) == col(Account.id),
        )
        .where(col(Activity.body).is_not(None), func.length(func.trim(Activity.body)) > 0)
    )
    rows = session.connection().execute(stmt).all()
    notes = pd.DataFrame.from_records(
        [tuple(r) for r in rows],
        columns=["activity_id", "kind", "occurred_at", *_META[:4], "owner_id", "subject", "body"],
    )
    return _with_hashes(notes)


def _with_hashes(notes: pd.DataFrame) -> pd.DataFrame:
    notes[_META] = notes[_META].fillna("").astype(str)
    occurred = pd.to_datetime(notes["occurred_at"], utc=True)
    notes["occurred_ts"] = (occurred - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    notes["occurred_day"] = occurred.dt.strftime("%Y%m%d").astype(int)
    notes["date"] = occurred.dt.strftime("%Y-%m-%d")
    subject = notes["subject"].fillna("").str.strip()
    notes["text"] = np.where(subject != "", subject + "\n\n" + notes["body"], notes["body"])
    notes["text_hash"] = _hash(notes[["text"]])
    notes["meta_hash"] = _hash(notes[[*_META, "occurred_ts"]])
    return notes.set_index("activity_id", drop=False)


def _hash(frame: pd.DataFrame) -> pd.Series:
    """A stable 64-bit hash per row (pandas' keyed SipHash), as text."""
    return pd.util.hash_pandas_object(frame, index=False).astype(str).set_axis(frame.index)


def indexed_notes(index: NoteIndex) -> pd.DataFrame:
    """Per note in the index: its chunk ids, hashes and whether its chunks are complete."""
    collection = index.collection()
    ids: list[str] = []
    metas: list[Any] = []
    while True:
        page = collection.get(include=["metadatas"], limit=_PAGE, offset=len(ids))
        ids += page["ids"]
        metas += page["metadatas"] or []
        if len(page["ids"]) < _PAGE:
            break
    fields = ["activity_id", "text_hash", "meta_hash", "n_chunks"]
    chunks = pd.DataFrame.from_records(metas, columns=fields).assign(chunk_id=ids)
    grouped = chunks.groupby("activity_id")
    return pd.DataFrame(
        {
            "chunk_ids": grouped["chunk_id"].agg(list),
            "text_hash": grouped["text_hash"].first(),
            "meta_hash": grouped["meta_hash"].first(),
            "complete": (grouped["chunk_id"].count() == grouped["n_chunks"].first())
            & (grouped["text_hash"].nunique() == 1)
            & (grouped["meta_hash"].nunique() == 1),
        }
    )


def index_notes(
    session: Session,
    index: NoteIndex,
    *,
    full: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the index in line with the store (see module doc); ``full`` rebuilds it."""
    notes = load_notes(session)
    collection = index.collection(reset=full)
    newest = int(notes["occurred_ts"].max()) if len(notes) else 0
    stamped = (collection.metadata or {}).get(NEWEST_KEY)
    if isinstance(stamped, int):  # while writing, cover both the old and the new notes
        stamp_newest(collection, max(stamped, newest))
    held = indexed_notes(index)
    common = notes.index.intersection(held.index)
    same_text = (notes.loc[common, "text_hash"] == held.loc[common, "text_hash"]) & held.loc[
        common, "complete"
    ].astype(bool)
    same_meta = notes.loc[common, "meta_hash"] == held.loc[common, "meta_hash"]
    gone = held.index.difference(notes.index)
    changed = common[~same_text.to_numpy()]
    relabel = common[(same_text & ~same_meta).to_numpy()]
    _delete(collection, [cid for ids in held.loc[gone.union(changed), "chunk_ids"] for cid in ids])
    _relabel(collection, notes.loc[relabel], held.loc[relabel, "chunk_ids"])
    todo = notes.index.difference(held.index).union(changed)
    embedded = _embed(collection, index, notes.loc[todo], batch_size, progress)
    stamp_newest(collection, newest)
    return IndexReport(
        added=len(todo) - len(changed),
        reembedded=len(changed),
        relabelled=len(relabel),
        deleted=len(gone),
        unchanged=int((same_text & same_meta).sum()),
        chunks_embedded=embedded,
    )


def _chunk_metadata(chunks: pd.DataFrame) -> list[dict[str, Any]]:
    """Chroma metadata (str/int only) of chunk rows that carry ``chunk`` and ``n_chunks``."""
    fields = ["activity_id", "chunk", "n_chunks", *_META, "date", "occurred_ts", "occurred_day"]
    records = chunks[[*fields, "text_hash", "meta_hash"]].to_dict("records")
    return cast(list[dict[str, Any]], records)


def _embed(
    collection: Any, index: NoteIndex, todo: pd.DataFrame, batch: int, progress: Progress | None
) -> int:
    """Chunk, embed and write the notes of ``todo``; returns the number of chunks."""
    pieces = todo["text"].map(chunk_text)
    chunks = todo.assign(chunk_text=pieces, n_chunks=pieces.str.len()).explode("chunk_text")
    chunks["chunk"] = chunks.groupby(level=0).cumcount()
    # Similar lengths in one batch: less padding for the model.
    chunks = chunks.iloc[np.argsort(chunks["chunk_text"].str.len().to_numpy(), kind="stable")]
    ids = (chunks["activity_id"] + "#" + chunks["chunk"].astype(str)).tolist()
    texts = chunks["chunk_text"].astype(str).tolist()
    metas = _chunk_metadata(chunks)
    for start in range(0, len(ids), batch):
        stop = start + batch
        vectors = index.embedder.embed(texts[start:stop])
        collection.upsert(
            ids=ids[start:stop],
            embeddings=vectors,
            documents=texts[start:stop],
            metadatas=metas[start:stop],
        )
        if progress is not None:
            progress(min(stop, len(ids)), len(ids))
    return len(ids)


def _relabel(collection: Any, notes: pd.DataFrame, chunk_ids: pd.Series) -> None:
    """Rewrite the metadata of notes whose text did not change (no embedding)."""
    if notes.empty:
        return
    chunks = notes.assign(chunk_id=chunk_ids, n_chunks=chunk_ids.str.len()).explode("chunk_id")
    chunks["chunk"] = chunks["chunk_id"].str.rsplit("#", n=1).str[1].astype(int)
    ids = chunks["chunk_id"].astype(str).tolist()
    metas = _chunk_metadata(chunks)
    for start in range(0, len(ids), _PAGE):
        collection.update(ids=ids[start : start + _PAGE], metadatas=metas[start : start + _PAGE])


def _delete(collection: Any, chunk_ids: list[str]) -> None:
    for start in range(0, len(chunk_ids), _PAGE):
        collection.delete(ids=chunk_ids[start : start + _PAGE])
