"""Incremental indexing of the notes (activities with a body) into the Chroma index.

The SQL store is the source of truth. Each note is compared with what the index
holds through two hashes kept in every chunk's metadata: ``text_hash`` (subject and
body: what gets embedded) and ``meta_hash`` (account, opportunity, contact, author,
owner, kind, time). New notes and notes whose text changed are (re-)chunked and
embedded; notes whose metadata alone changed (e.g. the account moved to another
rep) get their metadata rewritten without embedding; notes gone from the store are
removed; everything else is left alone, so re-running is cheap and never duplicates.
A note whose chunks are incomplete (an interrupted run) counts as changed.

:func:`index_posted_notes` applies the same rules to given notes only (a note posted
through the API): it looks their chunks up by id instead of reading the whole index
(12-16 s at 100k notes), and updates the scope table in place instead of withdrawing
it for the length of a run. Both change the collection's stamps and the scope table
under :func:`knowledge.scope_table.table_lock`, so they can run side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session, col

from crm.models import Account, Activity, Opportunity
from knowledge.chunking import chunk_text
from knowledge.scope_table import ScopeTable, table_lock
from knowledge.search import NoteIndex
from knowledge.store import NEWEST_KEY, stamp_newest

BATCH_SIZE = 256
"""Chunks embedded and written per call: several of the embedder's own batches, so a
parallel embedder keeps its workers busy, and fewer, cheaper Chroma writes."""

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


def load_notes(session: Session, activity_ids: Collection[str] | None = None) -> pd.DataFrame:
    """Every note (activity with a non-empty body), or those of ``activity_ids``.

    Each comes with its owner and the two hashes, computed per row: a note loaded
    alone hashes as it does among all the others.
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
    if activity_ids is not None:
        stmt = stmt.where(col(Activity.id).in_(list(activity_ids)))
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
    return _held(ids, metas)


def _indexed_among(collection: Any, activity_ids: Iterable[str]) -> pd.DataFrame:
    """:func:`indexed_notes` for the given notes only, looked up by chunk id.

    A note's chunks are ``<activity_id>#0`` to ``#<n_chunks - 1>``; the first one says
    how many there are. (Chunks an interrupted run left after a missing ``#0`` are not
    seen here: the next full run finds them incomplete and redoes the note.)
    """
    first = collection.get(ids=[f"{a}#0" for a in activity_ids], include=["metadatas"])
    metas = first["metadatas"] or []
    wanted = [f"{m['activity_id']}#{i}" for m in metas for i in range(int(m["n_chunks"]))]
    if len(wanted) > len(first["ids"]):
        more = collection.get(ids=wanted, include=["metadatas"])
        return _held(more["ids"], more["metadatas"] or [])
    return _held(first["ids"], metas)


def _held(ids: list[str], metas: list[Any]) -> pd.DataFrame:
    """Group chunk ids and their metadata by note (see :func:`indexed_notes`)."""
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


@dataclass(frozen=True)
class _Plan:
    """What a run does to each note (indexes of activity ids), from the store and the index."""

    todo: pd.Index
    """New notes and changed ones: chunked and embedded."""
    changed: pd.Index
    """Held notes whose text changed or whose chunks are incomplete: chunks deleted first."""
    relabel: pd.Index
    """Held notes whose metadata alone changed: rewritten without embedding."""
    gone: pd.Index
    """Held notes no longer in the store (or emptied): deleted."""
    kept: pd.Index
    """Held notes whose chunks stay (unchanged or relabelled)."""
    unchanged: int

    @classmethod
    def of(cls, notes: pd.DataFrame, held: pd.DataFrame) -> _Plan:
        """Compare the store's ``notes`` with what the index ``held`` (module doc)."""
        common = notes.index.intersection(held.index)
        same_text = (notes.loc[common, "text_hash"] == held.loc[common, "text_hash"]) & held.loc[
            common, "complete"
        ].astype(bool)
        same_meta = notes.loc[common, "meta_hash"] == held.loc[common, "meta_hash"]
        changed = common[~same_text.to_numpy()]
        return cls(
            todo=notes.index.difference(held.index).union(changed),
            changed=changed,
            relabel=common[(same_text & ~same_meta).to_numpy()],
            gone=held.index.difference(notes.index),
            kept=common.difference(changed),
            unchanged=int((same_text & same_meta).sum()),
        )

    def apply(
        self,
        collection: Any,
        index: NoteIndex,
        notes: pd.DataFrame,
        held: pd.DataFrame,
        batch_size: int,
        progress: Progress | None,
    ) -> pd.Series:
        """Delete, relabel and embed as planned; returns the embedded notes' chunk ids."""
        _delete(collection, self.dropped_chunks(held))
        _relabel(collection, notes.loc[self.relabel], held.loc[self.relabel, "chunk_ids"])
        return _embed(collection, index, notes.loc[self.todo], batch_size, progress)

    def dropped_chunks(self, held: pd.DataFrame) -> list[str]:
        """The chunk ids of the notes gone or changed (deleted before anything is added)."""
        return [cid for ids in held.loc[self.gone.union(self.changed), "chunk_ids"] for cid in ids]

    def report(self, embedded: pd.Series) -> IndexReport:
        """The counts of the run, given what :meth:`apply` embedded."""
        return IndexReport(
            added=len(self.todo) - len(self.changed),
            reembedded=len(self.changed),
            relabelled=len(self.relabel),
            deleted=len(self.gone),
            unchanged=self.unchanged,
            chunks_embedded=int(embedded.str.len().sum()),
        )


def index_notes(
    session: Session,
    index: NoteIndex,
    *,
    full: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the index in line with the store (see module doc); ``full`` rebuilds it.

    The scope table is withdrawn for the length of the run. At the end, if the
    collection holds more chunks than the run accounts for (a note was posted through
    :func:`index_posted_notes` meanwhile), the table is read back from Chroma instead.
    """
    notes = load_notes(session)
    index.collection(reset=full)
    newest = int(notes["occurred_ts"].max()) if len(notes) else 0
    with table_lock(index.scope_path):
        collection = index.collection(fresh=True)
        _cover_newest(collection, newest)  # while writing, cover the old and the new notes
        index.save_scope_table(None)  # searches use Chroma's filters until the run is done
    held = indexed_notes(index)
    plan = _Plan.of(notes, held)
    embedded = plan.apply(collection, index, notes, held, batch_size, progress)
    chunk_ids = pd.concat([held.loc[plan.kept, "chunk_ids"], embedded])
    with table_lock(index.scope_path):
        collection = index.collection(fresh=True)
        if collection.count() == int(chunk_ids.str.len().sum()):
            stamp_newest(collection, newest)
            index.save_scope_table(_scope_table(notes, chunk_ids))
        else:  # notes posted meanwhile: Chroma alone knows the whole index now
            table = ScopeTable.from_collection(collection, _PAGE)
            stamp_newest(collection, max(newest, int(table.values["occurred_ts"].max())))
            index.save_scope_table(table)
    return plan.report(embedded)


def index_posted_notes(
    session: Session,
    index: NoteIndex,
    activity_ids: Collection[str],
    *,
    batch_size: int = BATCH_SIZE,
) -> IndexReport:
    """Bring the notes ``activity_ids`` alone in line with the store (a posted note).

    The same rules, chunk ids, metadata and hashes as :func:`index_notes`, so a later
    full run finds these notes unchanged; re-indexing a note changes nothing. The
    current scope table (if any) gets the notes' chunks: new chunks are added to
    Chroma first and the bigger table published after (a search in between misses the
    new note, never more); when existing chunks change, the table is withdrawn while
    they do. Without a current table only Chroma changes (the next full run writes
    one). Everything after loading the notes runs under
    :func:`knowledge.scope_table.table_lock`: the table read and the table written
    describe the same collection.
    """
    notes = load_notes(session, activity_ids)
    newest = int(notes["occurred_ts"].max()) if len(notes) else 0
    with table_lock(index.scope_path):
        collection = index.collection(fresh=True)
        table = index.scope_table()
        held = _indexed_among(collection, activity_ids)
        plan = _Plan.of(notes, held)
        touched = plan.gone.union(plan.changed).union(plan.relabel)
        _cover_newest(collection, newest)
        if table is not None and len(touched):
            index.save_scope_table(None)  # existing chunks change: not described meanwhile
        embedded = plan.apply(collection, index, notes, held, batch_size, None)
        if table is not None and len(touched) + len(plan.todo):
            replaced = [cid for ids in held.loc[touched, "chunk_ids"] for cid in ids]
            rows = _scope_table(notes, pd.concat([held.loc[plan.relabel, "chunk_ids"], embedded]))
            index.save_scope_table(table.replacing(replaced, rows))
    return plan.report(embedded)


def _cover_newest(collection: Any, newest: int) -> None:
    """Raise the collection's ``newest_ts`` stamp to ``newest`` (when it has one).

    A collection without the stamp stays without: searches then keep the date
    condition, and the next full run stamps it.
    """
    stamped = (collection.metadata or {}).get(NEWEST_KEY)
    if isinstance(stamped, int):
        stamp_newest(collection, max(stamped, newest))


def _scope_table(notes: pd.DataFrame, chunk_ids: pd.Series) -> ScopeTable:
    """The scope table rows of the notes in ``chunk_ids``' index: their chunks' fields."""
    chunks = notes.loc[chunk_ids.index].assign(chunk_id=chunk_ids).explode("chunk_id")
    chunks = chunks.sort_values("chunk_id", kind="stable")  # the same token whatever the row order
    return ScopeTable.from_records(chunks["chunk_id"].astype(str).tolist(), chunks)


def _chunk_metadata(chunks: pd.DataFrame) -> list[dict[str, Any]]:
    """Chroma metadata (str/int only) of chunk rows that carry ``chunk`` and ``n_chunks``."""
    fields = ["activity_id", "chunk", "n_chunks", *_META, "date", "occurred_ts", "occurred_day"]
    records = chunks[[*fields, "text_hash", "meta_hash"]].to_dict("records")
    return cast(list[dict[str, Any]], records)


def _embed(
    collection: Any, index: NoteIndex, todo: pd.DataFrame, batch: int, progress: Progress | None
) -> pd.Series:
    """Chunk, embed and write the notes of ``todo``; returns each note's chunk ids."""
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
    return pd.Series(ids, index=chunks.index, dtype=object).groupby(level=0).agg(list)


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
