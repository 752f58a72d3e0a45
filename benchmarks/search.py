"""Search latency at 100k indexed notes: ``python -m benchmarks search``.

Embedding 100k notes with the real model would take most of an hour on 2 cores, so
the index is filled with *perturbed real vectors*: ``--base`` synthetic notes (from
``benchmarks.indexing``) are embedded with the packaged model, and each of the
``--notes`` stored notes is one of them plus Gaussian noise (sigma 0.02 per dimension,
about 0.87 cosine to its base), re-normalised, with realistic metadata (owner among
``--reps`` reps, account among 5,000, a date over three years). Each timed query
embeds the question with the real model and runs :meth:`NoteIndex.search` with the
scoped filter of :func:`note_filter` (as ``search_notes`` builds it), for a rep, a
manager (10 reps), an admin, an account question and a rep at a past analysis date
(the only case that needs the date condition). Each scenario runs in three ways:
``chroma filter`` is Chroma's filtered query alone (the oldest path); ``pool N``
post-filters in numpy the N x 3 x limit nearest chunks under the cheap part of the
filter (``knowledge.search.pre_filter``, N from ``--pool-factor``) and falls back to
the filtered query when too few pass; ``scope table`` is the default search: the scope
table (``knowledge.scope_table``, built here from Chroma's metadata as indexing would
write it) gives the allowed ids, then the pool, then the filter. Reports wall-clock
p50/p95/p99 and the CPU p95 of this process, in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from typing import Any

import numpy as np

from benchmarks.indexing import synthetic_note

QUESTIONS = [
    "who signs the contract",
    "what payment terms do they want",
    "are they worried about hosting or data residency",
    "who is our champion",
    "what did they say about competitor pricing",
    "how do they prefer to be contacted",
    "integration concerns with their ERP",
    "what is the next step",
]
START = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


def fill(collection: Any, base_texts: list[str], base: np.ndarray, args: Any) -> float:
    """Write ``args.notes`` perturbed notes; returns the seconds it took."""
    from knowledge.search import day_number

    rng = np.random.default_rng(11)
    start = time.perf_counter()
    step = 5000
    for first in range(0, args.notes, step):
        n = min(step, args.notes - first)
        which = rng.integers(len(base), size=n)
        vectors = base[which] + rng.normal(0, 0.02, size=(n, base.shape[1])).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        seconds = rng.integers(3 * 365 * 86400, size=n)
        metadatas = []
        for i in range(n):
            when = START + dt.timedelta(seconds=int(seconds[i]))
            metadatas.append(
                {
                    "activity_id": f"n{first + i}",
                    "chunk": 0,
                    "n_chunks": 1,
                    "owner_id": f"u{(first + i) % args.reps}",
                    "account_id": f"a{(first + i) % 5000}",
                    "opportunity_id": "",
                    "contact_id": "",
                    "user_id": "",
                    "kind": "note",
                    "date": when.date().isoformat(),
                    "occurred_ts": int(when.timestamp()),
                    "occurred_day": day_number(when.date()),
                    "text_hash": "x",
                    "meta_hash": "x",
                }
            )
        collection.add(
            ids=[f"n{first + i}#0" for i in range(n)],
            embeddings=vectors,
            documents=[base_texts[w] for w in which],
            metadatas=metadatas,
        )
    return time.perf_counter() - start


class Precomputed:
    """An embedder that returns vectors computed beforehand (times the store alone)."""

    def __init__(self, name: str, vectors: dict[str, np.ndarray]) -> None:
        self.name, self.dim, self.vectors = name, 384, vectors

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def timed(index: Any, where: dict[str, Any], queries: int) -> str:
    """Wall and CPU milliseconds of ``queries`` searches under ``where``, as a report line."""
    index.search(QUESTIONS[0], where=where)  # warm the segment caches
    wall: list[float] = []
    cpu: list[float] = []
    for i in range(queries):
        start, cpu_start = time.perf_counter(), time.process_time()
        hits = index.search(QUESTIONS[i % len(QUESTIONS)], where=where, limit=5)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    return f"wall {percentiles(wall)} | CPU p95 {np.percentile(cpu, 95):5.1f} ms ({len(hits)} hits)"


def percentiles(samples: list[float]) -> str:
    """p50 / p95 / p99 of millisecond samples."""
    p50, p95, p99 = np.percentile(samples, [50, 95, 99])
    return f"p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks search")
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=500)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--pool-factor", type=int, default=10)
    args = parser.parse_args(argv)

    from knowledge.embeddings import SentenceTransformerEmbedder
    from knowledge.indexing import indexed_notes
    from knowledge.scope_table import ScopeTable
    from knowledge.search import note_filter, open_note_index
    from knowledge.store import stamp_newest

    embedder = SentenceTransformerEmbedder()
    rng = random.Random(3)
    base_texts = [synthetic_note(rng) for _ in range(args.base)]
    base = embedder.embed(base_texts)
    as_of_end = START + dt.timedelta(days=3 * 365)  # after every note: no date condition
    history = START + dt.timedelta(days=2 * 365)  # a past analysis date: date condition
    scopes: dict[str, tuple[frozenset[str] | None, dt.datetime, str | None]] = {
        "rep": (frozenset({"u1"}), as_of_end, None),
        "manager (10)": (frozenset(f"u{i}" for i in range(10)), as_of_end, None),
        "admin": (None, as_of_end, None),
        "rep+account": (frozenset({"u1"}), as_of_end, "a51"),
        "rep, past as_of": (frozenset({"u1"}), history, None),
    }
    with tempfile.TemporaryDirectory() as folder:
        index = open_note_index(folder, embedder=embedder)
        seconds = fill(index.collection(), base_texts, base, args)
        stamp_newest(index.collection(), int(as_of_end.timestamp()) - 1)  # as indexing does
        scenarios = {
            name: note_filter(
                owner_ids=owners,
                before=end if index.has_notes_from(end) else None,
                account_id=account,
            )
            for name, (owners, end, account) in scopes.items()
        }
        print(f"indexed {index.count():,} vectors in {seconds:.1f} s (precomputed)")
        start = time.perf_counter()
        indexed_notes(index)
        seconds = time.perf_counter() - start
        print(f"reading the index state (what a no-change `dealwise index` does): {seconds:.1f} s")
        start = time.perf_counter()
        index.save_scope_table(ScopeTable.from_collection(index.collection()))
        print(f"scope table from Chroma's metadata: {time.perf_counter() - start:.1f} s")
        scope_path = index.scope_path
        assert scope_path is not None  # a local store
        start = time.perf_counter()
        ScopeTable.load(scope_path)  # what a search process does once per index run
        print(f"loading the scope table: {(time.perf_counter() - start) * 1000:.1f} ms")
        embed_ms: list[float] = []
        for i in range(args.queries):
            start = time.perf_counter()
            embedder.embed([QUESTIONS[i % len(QUESTIONS)]])
            embed_ms.append((time.perf_counter() - start) * 1000)
        print(f"query embedding  {percentiles(embed_ms)}")
        ways = {
            "chroma filter": (0, None),
            f"pool {args.pool_factor}": (args.pool_factor, None),
            "scope table": (args.pool_factor, scope_path),
        }
        print("with the query embedded by the real model:")
        run_scenarios(index, scenarios, ways, args.queries)
        print("store alone (query vectors precomputed):")
        vectors = dict(zip(QUESTIONS, embedder.embed(QUESTIONS), strict=True))
        index.embedder = Precomputed(embedder.name, vectors)
        run_scenarios(index, scenarios, ways, args.queries)


def run_scenarios(
    index: Any,
    scenarios: dict[str, dict[str, Any]],
    ways: dict[str, tuple[int, Any]],
    queries: int,
) -> None:
    """Time every scenario in every way (pool factor, scope table or none), one line each."""
    for name, where in scenarios.items():
        for way, (factor, scope_path) in ways.items():
            index.pool_factor, index.scope_path = factor, scope_path
            print(f"  {name:16s} {way:14s} {timed(index, where, queries)}")
