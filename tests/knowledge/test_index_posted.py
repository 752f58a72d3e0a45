"""Indexing given notes alone (``index_posted_notes``): a note posted through the API."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Activity
from knowledge.embeddings import Vectors
from knowledge.indexing import index_posted_notes
from knowledge.scope_table import ScopeTable, table_lock
from knowledge.search import SCOPE_FILE, NoteIndex, note_filter, open_note_index
from knowledge.store import NEWEST_KEY
from tests.knowledge.builders_notes import at, build_world, note
from tests.knowledge.conftest import FakeEmbedder
from tests.knowledge.test_indexing import chroma_scope, chunk_ids, run, scope_rows, update

POSTED = "Ling from Initech wants a pilot of the warehouse scanners in May."
QUERY = "pilot of the warehouse scanners"


@pytest.fixture
def world(engine: Engine) -> Engine:
    """The notes world plus 30 notes of rep2 on A2, so that one rep's notes are a
    narrow scope (under a quarter of the index): scoped searches take the table path."""
    build_world(engine)
    with Session(engine) as session:
        session.add_all(
            note(f"F{i}", "A2", "2024-02-01", f"Filler call {i} about invoices.") for i in range(30)
        )
        session.commit()
    return engine


@pytest.fixture
def index(tmp_path: Path, fake_embedder: FakeEmbedder) -> NoteIndex:
    return open_note_index(tmp_path, embedder=fake_embedder)


def post(engine: Engine, id_: str, account: str = "A3", body: str = POSTED) -> None:
    """Store a note on ``account`` as the API does (no indexing)."""
    with Session(engine) as session:
        session.add(note(id_, account, "2024-06-20", body))
        session.commit()


def index_posted(engine: Engine, index: NoteIndex, *ids: str) -> dict[str, int]:
    with Session(engine) as session:
        return vars(index_posted_notes(session, index, ids))


def scoped_ids(index: NoteIndex, owner: str) -> list[str] | None:
    """The notes the scope-table path finds for ``owner`` (``None``: the path declined)."""
    where = note_filter(owner_ids=frozenset({owner}), before=None)
    found = index._scoped(index.embedder.embed([QUERY]), where, 15)
    return None if found is None else [str(m["activity_id"]) for m in found[1]]


def test_a_posted_note_is_searchable_without_a_full_run(
    world: Engine, index: NoteIndex, fake_embedder: FakeEmbedder
) -> None:
    run(world, index)
    before = fake_embedder.texts_embedded
    post(world, "P1")
    report = index_posted(world, index, "P1")
    assert report == {
        "added": 1,
        "reembedded": 0,
        "relabelled": 0,
        "deleted": 0,
        "unchanged": 0,
        "chunks_embedded": 1,
    }
    assert fake_embedder.texts_embedded - before == 1
    hits = index.search(QUERY, where={"owner_id": {"$in": ["rep3"]}})
    assert hits[0].activity_id == "P1" and hits[0].metadata["owner_id"] == "rep3"


def test_a_full_run_after_a_posted_note_finds_it_unchanged(
    world: Engine, index: NoteIndex, fake_embedder: FakeEmbedder
) -> None:
    run(world, index)
    post(world, "P1")
    index_posted(world, index, "P1")
    calls = fake_embedder.calls
    report = run(world, index)
    assert report["added"] == 0 and report["chunks_embedded"] == 0
    assert report["unchanged"] == 36  # N1-N5, F0-F29 and P1
    assert fake_embedder.calls == calls


def test_the_scope_table_stays_current_and_scoped_search_finds_the_note_for_its_owner_only(
    world: Engine, index: NoteIndex
) -> None:
    run(world, index)
    post(world, "P1")
    index_posted(world, index, "P1")
    table = index.scope_table()
    assert table is not None and scope_rows(table) == chroma_scope(index)
    assert scoped_ids(index, "rep3") == ["P1", "N4"]  # the table path, with the new note
    rep1 = scoped_ids(index, "rep1")
    assert rep1 is not None and "P1" not in rep1
    assert "P1" not in [
        h.activity_id for h in index.search(QUERY, where={"owner_id": {"$in": ["rep1"]}})
    ]


def test_the_newest_stamp_covers_a_posted_note(world: Engine, index: NoteIndex) -> None:
    run(world, index)
    post(world, "P1")  # 2024-06-20, after every other note
    index_posted(world, index, "P1")
    assert index.collection().metadata[NEWEST_KEY] == int(at("2024-06-20").timestamp())
    assert index.has_notes_from(at("2024-06-20"))


def test_indexing_the_same_note_again_is_idempotent(
    world: Engine, index: NoteIndex, fake_embedder: FakeEmbedder
) -> None:
    run(world, index)
    post(world, "P1")
    index_posted(world, index, "P1")
    token = index.scope_table()
    calls = fake_embedder.calls
    again = index_posted(world, index, "P1")
    assert again["unchanged"] == 1 and again["chunks_embedded"] == 0
    assert fake_embedder.calls == calls
    assert [i for i in chunk_ids(index) if i.startswith("P1")] == ["P1#0"]
    table = index.scope_table()
    assert table is not None and token is not None and table.token == token.token


def test_a_reposted_note_with_a_shorter_text_leaves_no_stale_chunk(
    world: Engine, index: NoteIndex
) -> None:
    run(world, index)
    long_body = " ".join(f"Point {i} of the scanner pilot was agreed in detail." for i in range(40))
    post(world, "P1", body=long_body)
    index_posted(world, index, "P1")
    assert [i for i in chunk_ids(index) if i.startswith("P1")] == ["P1#0", "P1#1", "P1#2"]
    update(world, Activity, "P1", body=POSTED, account_id="A1")  # shorter, and now rep1's
    report = index_posted(world, index, "P1")
    assert report["reembedded"] == 1
    assert [i for i in chunk_ids(index) if i.startswith("P1")] == ["P1#0"]
    table = index.scope_table()
    assert table is not None and scope_rows(table) == chroma_scope(index)
    assert scope_rows(table)["P1#0"][0] == (True, "rep1")


def test_a_note_deleted_before_it_is_indexed_again_leaves_the_index(
    world: Engine, index: NoteIndex
) -> None:
    run(world, index)
    post(world, "P1")
    index_posted(world, index, "P1")
    with Session(world) as session:
        session.delete(session.get(Activity, "P1"))
        session.commit()
    assert index_posted(world, index, "P1")["deleted"] == 1
    table = index.scope_table()
    assert "P1#0" not in chunk_ids(index)
    assert table is not None and scope_rows(table) == chroma_scope(index)


def test_without_a_current_scope_table_only_chroma_changes(world: Engine, index: NoteIndex) -> None:
    run(world, index)
    index.save_scope_table(None)
    post(world, "P1")
    index_posted(world, index, "P1")
    assert "P1#0" in chunk_ids(index) and index.scope_table() is None
    run(world, index)  # the next full run writes the table again
    table = index.scope_table()
    assert table is not None and scope_rows(table) == chroma_scope(index)


def test_two_notes_posted_at_once_both_end_up_in_the_table(world: Engine, tmp_path: Path) -> None:
    """Two threads, and two indexes on one folder (as two worker processes hold): each
    with its own collection object, whose cached metadata the other makes stale."""
    run(world, open_note_index(tmp_path, embedder=FakeEmbedder()))
    indexes = [open_note_index(tmp_path, embedder=FakeEmbedder()) for _ in range(2)]
    for i, idx in enumerate(indexes):
        idx.scope_table()  # open both collections before either note is posted
        post(world, f"P{i}", body=f"{POSTED} Variant {i}.")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def index_one(i: int) -> None:
        try:
            barrier.wait()
            index_posted(world, indexes[i], f"P{i}")
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=index_one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for idx in indexes:
        table = idx.scope_table()
        assert table is not None and scope_rows(table) == chroma_scope(idx)
        assert {"P0#0", "P1#0"} <= set(scope_rows(table))


def test_a_note_posted_during_a_full_run_is_in_the_table_it_writes(
    world: Engine, tmp_path: Path
) -> None:
    poster = open_note_index(tmp_path, embedder=FakeEmbedder())

    class PostingMeanwhile(FakeEmbedder):
        def embed(self, texts: list[str]) -> Vectors:
            if texts == ["Dinner with the procurement team."]:  # the full run's re-embed
                post(world, "P1")
                index_posted(world, poster, "P1")
            return super().embed(texts)

    runner = open_note_index(tmp_path, embedder=PostingMeanwhile())
    run(world, runner)
    update(world, Activity, "N2", body="Dinner with the procurement team.")
    report = run(world, runner)  # loaded the store before P1 was stored
    assert report["reembedded"] == 1 and report["added"] == 0
    table = runner.scope_table()
    assert table is not None and scope_rows(table) == chroma_scope(runner)
    assert "P1#0" in scope_rows(table)


def test_the_table_lock_excludes_another_process(tmp_path: Path) -> None:
    path = tmp_path / SCOPE_FILE
    released = tmp_path / "released"
    holder = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from knowledge.scope_table import table_lock\n"
        "with table_lock(Path(sys.argv[1])):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(0.5)\n"
        "    Path(sys.argv[2]).write_text('yes')\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", holder, str(path), str(released)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    with table_lock(path):
        assert released.read_text() == "yes"  # acquired only once the child let go
    assert child.wait(timeout=30) == 0


def test_replacing_rows_of_a_scope_table_drops_old_ids_and_appends_new_ones() -> None:
    base = ScopeTable.from_records(
        ["a#0", "b#0", "c#0"],
        [{"owner_id": "r1"}, {"owner_id": "r2"}, {"owner_id": "r3"}],
    )
    rows = ScopeTable.from_records(["b#0", "d#0"], [{"owner_id": "r9"}, {"owner_id": "r4"}])
    merged = base.replacing(["c#0"], rows)
    assert [
        (str(i), str(o)) for i, o in zip(merged.ids, merged.values["owner_id"], strict=True)
    ] == [
        ("a#0", "r1"),
        ("b#0", "r9"),
        ("d#0", "r4"),
    ]
    assert merged.token != base.token
