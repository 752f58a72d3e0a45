"""Indexing one note posted through the API, at a realistic index size.

``python -m benchmarks posted_note [--notes 100000] [--repeats 5]``

Builds the synthetic notes store (:func:`benchmarks.indexing.synthetic_store`), indexes
it fully with the model-free :class:`knowledge.embeddings.HashEmbedder` (so the figures
are the indexing overhead, not the model's ~10-30 ms per note), then stores notes one
at a time and indexes each with ``index_posted_notes`` (what ``POST /v1/notes`` runs),
and, for comparison, with the full incremental ``index_notes`` it used to run.
Prints wall and CPU time per note and whether the scope table stayed current.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.indexing import synthetic_store
from crm.models import Activity
from knowledge.embeddings import HashEmbedder
from knowledge.indexing import IndexReport, index_notes, index_posted_notes
from knowledge.search import NoteIndex, open_note_index


def _post(engine: Engine, number: int) -> str:
    """Store one note on a synthetic account; return its id."""
    note_id = f"posted-{number}"
    with Session(engine) as session:
        session.add(
            Activity(
                id=note_id, kind="note", occurred_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                account_id="a3", body=f"Posted note {number}: Maria wants net 60 terms.",
            )
        )  # fmt: skip
        session.commit()
    return note_id


def _timed(label: str, index: NoteIndex, run: Callable[[], IndexReport]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    report = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    table = index.scope_table()
    print(
        f"{label:36s} wall {wall * 1000:8.1f} ms  cpu {cpu * 1000:8.1f} ms  "
        f"added {report.added}  scope table current: {table is not None}",
        flush=True,
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks posted_note")
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    engine = synthetic_store(args.notes)
    index = open_note_index(tempfile.mkdtemp(prefix="dealwise-posted-"), embedder=HashEmbedder())
    start = time.perf_counter()
    with Session(engine) as session:
        index_notes(session, index)
    print(f"indexed {args.notes} notes in {time.perf_counter() - start:.0f} s")
    for number in range(args.repeats):
        note_id = _post(engine, number)
        with Session(engine) as session:
            run = partial(index_posted_notes, session, index, [note_id])
            _timed("index_posted_notes (the new note)", index, run)
    for number in range(args.repeats, args.repeats + 2):
        _post(engine, number)
        with Session(engine) as session:
            full = partial(index_notes, session, index)
            _timed("index_notes (full incremental run)", index, full)
