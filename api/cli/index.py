"""``dealwise index [--full]``: bring the notes index in line with the CRM store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import console, fail, open_session
from crm.settings import get_settings
from knowledge.embeddings import Precision


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command("index")(index)


def index(
    full: Annotated[
        bool, typer.Option("--full", help="Drop the index and rebuild it from the store.")
    ] = False,
    precision: Annotated[
        Precision,
        typer.Option(
            help="Model precision for embedding notes: auto (default) is bfloat16 on CPUs "
            "with native bfloat16 (AVX-512 BF16, AMX), about 2x faster there, else float32. "
            "bfloat16 gives the same vectors within 1e-3 cosine (searches mix freely)."
        ),
    ] = "auto",
) -> None:
    """Index the interaction notes for semantic search and extract roles and preferences.

    Only new or changed notes are embedded; the extracted facts of a note are rewritten
    only when what the extractor finds has changed.
    """
    from knowledge.embeddings import SentenceTransformerEmbedder
    from knowledge.extract import OfflineExtractor
    from knowledge.facts_writer import extract_notes
    from knowledge.indexing import index_notes
    from knowledge.search import open_note_index
    from knowledge.store import IndexMismatch

    settings = get_settings()
    embedder = SentenceTransformerEmbedder(settings.embedding_model, precision=precision)
    notes = open_note_index(settings.data_dir, settings.chroma_url, embedder=embedder)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with open_session(settings) as session, Progress(*columns, TimeElapsedColumn()) as bar:
        task = bar.add_task("embedding note chunks", total=None)
        try:
            report = index_notes(
                session,
                notes,
                full=full,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except IndexMismatch as exc:
            raise fail(str(exc)) from exc
        bar.update(task, description="extracting roles and preferences")
        facts = extract_notes(session, extractor=OfflineExtractor())
        session.commit()
    where = settings.chroma_url or str(settings.data_dir / "chroma")
    table = Table(title=f"Notes index · {where}")
    table.add_column("notes")
    table.add_column("count", justify="right")
    for name, value in vars(report).items():
        table.add_row(name.replace("_", " "), f"{value:,}")
    table.add_row("chunks in the index", f"{notes.count():,}")
    table.add_row("notes with new facts", f"{facts.changed:,}")
    table.add_row("role facts written", f"{facts.role_facts:,}")
    table.add_row("preference facts written", f"{facts.preference_facts:,}")
    console.print(table)
