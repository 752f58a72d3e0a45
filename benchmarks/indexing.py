"""Indexing throughput with the real packaged model: ``python -m benchmarks indexing``.

Writes N synthetic notes of 1-3 sentences (the typical call/meeting note) to an
in-memory SQLite store, then times (1) the embedding alone, (2) a first
``index_notes`` run into a fresh local Chroma folder (SQL read, hashing, chunking,
embedding, Chroma writes) and (3) a second, no-op run (nothing to embed).
Options: ``--notes N`` (default 3000), ``--batch B`` (the model's batch, default 64),
``--precision auto|float32|bfloat16`` (default auto, as ``dealwise index``),
``--workers W`` (batches encoded in parallel, default: the usable CPUs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time

from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from crm.db import create_all, make_engine
from crm.models import Account, Activity, User

NAMES = ["Maria Lopez", "Peter Wang", "Anna Berg", "Li Wei", "Tom Okafor", "Sara Rossi"]
TITLES = ["CFO", "CTO", "head of procurement", "IT manager", "VP Sales", "security lead"]
SENTENCES = [
    "{name} ({title}) confirmed the budget for the {product} rollout is approved.",
    "{name} prefers to be contacted by {channel} rather than by phone.",
    "They want net {days} payment terms and a discount for a {years}-year contract.",
    "{name} is worried about data residency and asks for EU hosting.",
    "The demo went well; {name} will champion us with the board.",
    "Procurement needs three quotes before the end of {month}.",
    "{name} signs anything above 50k, so we must get on their calendar.",
    "The {title} raised concerns about the integration with their ERP.",
    "Competitor pricing came up again; {name} says we are 15% more expensive.",
    "Next step: send the security questionnaire to {name} by {month}.",
]
FIELDS = {
    "product": ["analytics", "CRM", "billing", "support desk"],
    "channel": ["email", "WhatsApp", "Slack", "Teams"],
    "days": ["30", "45", "60", "90"],
    "years": ["two", "three"],
    "month": ["March", "June", "September", "December"],
}


def synthetic_note(rng: random.Random) -> str:
    """A note of 1-3 sentences drawn from the templates."""
    values = {key: rng.choice(options) for key, options in FIELDS.items()}
    sentences = rng.sample(SENTENCES, rng.randint(1, 3))
    return " ".join(
        s.format(name=rng.choice(NAMES), title=rng.choice(TITLES), **values) for s in sentences
    )


def synthetic_store(n_notes: int, n_reps: int = 20, seed: int = 7) -> Engine:
    """An in-memory store with ``n_reps`` reps, 10 accounts each and ``n_notes`` notes."""
    rng = random.Random(seed)
    engine = make_engine("sqlite://", poolclass=StaticPool)
    create_all(engine)
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    with Session(engine) as session:
        session.add_all(User(id=f"u{r}", name=f"Rep {r}") for r in range(n_reps))
        session.flush()
        accounts = [f"a{i}" for i in range(n_reps * 10)]
        session.add_all(
            Account(id=a, name=f"Account {a}", owner_id=f"u{i % n_reps}", created_at=start)
            for i, a in enumerate(accounts)
        )
        session.flush()
        session.add_all(
            Activity(
                id=f"n{i}",
                kind=rng.choice(["call", "email", "meeting", "note"]),
                occurred_at=start + dt.timedelta(hours=rng.randrange(3 * 365 * 24)),
                account_id=rng.choice(accounts),
                body=synthetic_note(rng),
            )
            for i in range(n_notes)
        )
        session.commit()
    return engine


def report_rate(label: str, notes: int, start: float, cpu_start: float) -> None:
    """Print notes per wall-clock second and per CPU-second of this process (all threads).

    On a shared machine the wall-clock rate depends on the neighbours; the CPU-second
    rate does not (spinning threads make it conservative): on two free cores the
    wall-clock rate is at most twice it.
    """
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(
        f"{label + ':':20s}{notes / wall:8.1f} notes/s wall ({wall:.1f} s)   "
        f"{notes / cpu:8.1f} notes per CPU-second ({cpu:.1f} CPU-s)"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks indexing")
    parser.add_argument("--notes", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--precision", choices=["auto", "float32", "bfloat16"], default="auto")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)

    import torch

    from knowledge.embeddings import SentenceTransformerEmbedder
    from knowledge.indexing import BATCH_SIZE, index_notes, load_notes
    from knowledge.search import open_note_index

    embedder = SentenceTransformerEmbedder(
        batch_size=args.batch, precision=args.precision, workers=args.workers
    )
    embedder.embed(["warm up the model"])
    engine = synthetic_store(args.notes)
    with Session(engine) as session:
        texts = load_notes(session)["text"].tolist()
    print(
        f"notes: {len(texts)}, torch threads: {torch.get_num_threads()}, "
        f"workers: {embedder.workers}, batch: {args.batch}, precision: {args.precision} "
        f"({embedder.dtype}), load: {os.getloadavg()[0]:.1f}"
    )

    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), BATCH_SIZE):  # as index_notes calls it
        embedder.embed(texts[i : i + BATCH_SIZE])
    report_rate("embedding only", len(texts), start, cpu)

    with tempfile.TemporaryDirectory() as folder, Session(engine) as session:
        index = open_note_index(folder, embedder=embedder)
        start, cpu = time.perf_counter(), time.process_time()
        report = index_notes(session, index)
        report_rate("first index run", report.added, start, cpu)
        start = time.perf_counter()
        report = index_notes(session, index)
        again_s = time.perf_counter() - start
        print(f"re-run (no change): {again_s:8.2f} s, {report.chunks_embedded} chunks embedded")
