from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Account, Activity
from knowledge.embeddings import Vectors
from knowledge.indexing import index_notes
from knowledge.scope_table import NUMBER_FIELDS, TEXT_FIELDS, ScopeTable
from knowledge.search import NoteIndex, open_note_index
from tests.knowledge.builders_notes import build_world, note
from tests.knowledge.conftest import FakeEmbedder


@pytest.fixture
def world(engine: Engine) -> Engine:
    build_world(engine)
    return engine


@pytest.fixture
def index(tmp_path: Path, fake_embedder: FakeEmbedder) -> NoteIndex:
    return open_note_index(tmp_path, embedder=fake_embedder)


def run(engine: Engine, index: NoteIndex, *, full: bool = False) -> dict[str, int]:
    with Session(engine) as session:
        return vars(index_notes(session, index, full=full))


def chunk_ids(index: NoteIndex) -> list[str]:
    return sorted(index.collection().get()["ids"])


def update(engine: Engine, model: type[Account | Activity], id_: str, **values: object) -> None:
    """Set ``values`` on the stored row ``id_`` of ``model``."""
    with Session(engine) as session:
        row = session.get(model, id_)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.commit()


def add_long_note(engine: Engine) -> None:
    """Add note ``L1`` on A1, long enough for three chunks."""
    long_body = " ".join(
        f"Point {i} of the security review was discussed at length." for i in range(40)
    )
    with Session(engine) as session:
        session.add(note("L1", "A1", "2024-04-01", long_body))
        session.commit()


def test_first_run_indexes_every_note_with_a_body_once(world: Engine, index: NoteIndex) -> None:
    report = run(world, index)
    assert report == {
        "added": 5,
        "reembedded": 0,
        "relabelled": 0,
        "deleted": 0,
        "unchanged": 0,
        "chunks_embedded": 5,
    }
    assert chunk_ids(index) == ["N1#0", "N2#0", "N3#0", "N4#0", "N5#0"]


def test_rerunning_embeds_nothing_and_duplicates_nothing(
    world: Engine, index: NoteIndex, fake_embedder: FakeEmbedder
) -> None:
    run(world, index)
    calls = fake_embedder.calls
    report = run(world, index)
    assert fake_embedder.calls == calls
    assert report["unchanged"] == 5
    assert report["chunks_embedded"] == 0
    assert index.count() == 5


def test_a_changed_note_alone_is_embedded_again(
    world: Engine, index: NoteIndex, fake_embedder: FakeEmbedder
) -> None:
    run(world, index)
    before = fake_embedder.texts_embedded
    update(world, Activity, "N2", body="Dinner with the procurement team.")
    report = run(world, index)
    assert report["reembedded"] == 1 and report["unchanged"] == 4
    assert fake_embedder.texts_embedded - before == 1
    stored = index.collection().get(ids=["N2#0"])["documents"]
    assert stored == ["Dinner with the procurement team."]


def test_a_deleted_note_and_an_emptied_one_leave_the_index(world: Engine, index: NoteIndex) -> None:
    run(world, index)
    with Session(world) as session:
        session.delete(session.get(Activity, "N4"))
        session.commit()
    update(world, Activity, "N5", body="   ")
    report = run(world, index)
    assert report["deleted"] == 2
    assert chunk_ids(index) == ["N1#0", "N2#0", "N3#0"]


def test_a_reassigned_account_relabels_its_notes_without_embedding(
    world: Engine, index: NoteIndex, fake_embedder: FakeEmbedder
) -> None:
    run(world, index)
    calls = fake_embedder.calls
    update(world, Account, "A2", owner_id="rep3")
    report = run(world, index)
    assert report["relabelled"] == 1 and report["chunks_embedded"] == 0
    assert fake_embedder.calls == calls
    metadata = index.collection().get(ids=["N3#0"])["metadatas"]
    assert metadata is not None and metadata[0]["owner_id"] == "rep3"


def test_a_note_owner_is_the_opportunity_owner_then_the_account_owner(
    world: Engine, index: NoteIndex
) -> None:
    run(world, index)
    got = index.collection().get(ids=["N1#0", "N3#0"], include=["metadatas"])
    owners = {i: m["owner_id"] for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)}
    assert owners == {"N1#0": "rep1", "N3#0": "rep2"}


def test_metadata_carries_the_links_and_the_date_as_text_and_numbers(
    world: Engine, index: NoteIndex
) -> None:
    run(world, index)
    metadata = (index.collection().get(ids=["N1#0"])["metadatas"] or [{}])[0]
    assert {k: metadata[k] for k in ("account_id", "opportunity_id", "contact_id", "kind")} == {
        "account_id": "A1",
        "opportunity_id": "O1",
        "contact_id": "C1",
        "kind": "note",
    }
    assert metadata["date"] == "2024-03-01"
    assert metadata["occurred_day"] == 20240301
    assert metadata["occurred_ts"] == 1709294400  # 2024-03-01T12:00:00Z


def test_a_long_note_is_split_into_numbered_chunks(world: Engine, index: NoteIndex) -> None:
    add_long_note(world)
    run(world, index)
    ids = [i for i in chunk_ids(index) if i.startswith("L1#")]
    assert ids == ["L1#0", "L1#1", "L1#2"]


def test_an_incomplete_note_from_an_interrupted_run_is_rewritten(
    world: Engine, index: NoteIndex
) -> None:
    add_long_note(world)
    run(world, index)
    index.collection().delete(ids=["L1#2"])
    report = run(world, index)
    assert report["reembedded"] == 1
    assert [i for i in chunk_ids(index) if i.startswith("L1#")] == ["L1#0", "L1#1", "L1#2"]


def test_a_full_rebuild_embeds_everything_again_without_duplicates(
    world: Engine, index: NoteIndex, fake_embedder: FakeEmbedder
) -> None:
    run(world, index)
    before = fake_embedder.texts_embedded
    report = run(world, index, full=True)
    assert report["added"] == 5
    assert fake_embedder.texts_embedded - before == 5
    assert index.count() == 5


def test_texts_are_embedded_in_batches(
    world: Engine, index: NoteIndex, fake_embedder: FakeEmbedder
) -> None:
    with Session(world) as session:
        index_notes(session, index, batch_size=2)
    assert fake_embedder.calls == 3  # 5 chunks in batches of 2


@pytest.mark.slow
def test_the_index_command_embeds_new_notes_once_with_the_packaged_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from api.cli.main import app
    from crm.db import create_all, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    create_all(engine)
    build_world(engine)
    monkeypatch.setenv("DEALWISE_DATABASE_URL", f"sqlite:///{tmp_path / 'crm.db'}")
    monkeypatch.setenv("DEALWISE_DATA_DIR", str(tmp_path / "state"))
    runner = CliRunner()
    first = runner.invoke(app, ["index"])
    assert first.exit_code == 0, first.output
    assert "added" in first.output and (tmp_path / "state" / "chroma").is_dir()
    again = runner.invoke(app, ["index"])
    assert again.exit_code == 0, again.output
    lines = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in again.output.splitlines()
        if line.count("│") == 3
    }
    assert lines["added"] == "0" and lines["unchanged"] == "5"
    assert lines["chunks in the index"] == "5"


def test_the_index_command_refuses_an_empty_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from api.cli.main import app

    monkeypatch.setenv("DEALWISE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("DEALWISE_DATA_DIR", str(tmp_path / "state"))
    result = CliRunner().invoke(app, ["index"])
    assert result.exit_code == 2
    assert "dealwise db upgrade" in " ".join(result.output.split())  # rich wraps at 80


def test_the_index_command_embeds_with_the_precision_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import knowledge.embeddings
    from api.cli.main import app
    from crm.db import create_all, make_engine

    asked: list[str] = []

    def fake(model_path: object = None, precision: str = "float32") -> FakeEmbedder:
        asked.append(precision)
        return FakeEmbedder()

    monkeypatch.setattr(knowledge.embeddings, "SentenceTransformerEmbedder", fake)
    engine = make_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    create_all(engine)
    build_world(engine)
    monkeypatch.setenv("DEALWISE_DATABASE_URL", f"sqlite:///{tmp_path / 'crm.db'}")
    monkeypatch.setenv("DEALWISE_DATA_DIR", str(tmp_path / "state"))
    runner = CliRunner()
    assert runner.invoke(app, ["index", "--precision", "bfloat16"]).exit_code == 0
    assert runner.invoke(app, ["index"]).exit_code == 0
    assert asked == ["bfloat16", "auto"]  # auto: bfloat16 where the CPU has it natively
    assert runner.invoke(app, ["index", "--precision", "int8"]).exit_code == 2


def scope_rows(table: ScopeTable) -> dict[str, tuple[object, ...]]:
    """Each chunk's scope fields (presence and value), keyed by chunk id."""
    fields = (*TEXT_FIELDS, *NUMBER_FIELDS)
    return {
        str(chunk): tuple((bool(table.present[f][i]), table.values[f][i].item()) for f in fields)
        for i, chunk in enumerate(table.ids)
    }


def chroma_scope(index: NoteIndex) -> dict[str, tuple[object, ...]]:
    """The scope fields as Chroma holds them."""
    return scope_rows(ScopeTable.from_collection(index.collection(), page=2))


def test_every_run_leaves_a_scope_table_describing_what_chroma_holds(
    world: Engine, index: NoteIndex
) -> None:
    run(world, index)
    table = index.scope_table()
    assert table is not None and scope_rows(table) == chroma_scope(index)
    add_long_note(world)
    update(world, Account, "A2", owner_id="rep3")  # relabels N3
    update(world, Activity, "N2", body="Dinner with the procurement team.")
    with Session(world) as session:
        session.delete(session.get(Activity, "N4"))
        session.commit()
    run(world, index)
    table = index.scope_table()
    assert table is not None and scope_rows(table) == chroma_scope(index)
    assert sorted(scope_rows(table)) == ["L1#0", "L1#1", "L1#2", "N1#0", "N2#0", "N3#0", "N5#0"]
    assert scope_rows(table)["N3#0"][0] == (True, "rep3")


def test_a_run_that_changes_nothing_keeps_the_scope_table(world: Engine, index: NoteIndex) -> None:
    run(world, index)
    first = index.scope_table()
    run(world, index)
    again = index.scope_table()
    assert first is not None and again is not None and again.token == first.token


def test_searches_do_not_trust_the_scope_table_while_a_run_changes_the_index(
    world: Engine, tmp_path: Path
) -> None:
    seen: list[object] = []

    class Watching(FakeEmbedder):
        def embed(self, texts: list[str]) -> Vectors:
            seen.append(watched.scope_table())
            return super().embed(texts)

    watched = open_note_index(tmp_path, embedder=Watching())
    run(world, watched)
    assert watched.scope_table() is not None
    update(world, Activity, "N2", body="Dinner with the procurement team.")
    run(world, watched)
    assert seen[-1] is None  # withdrawn while N2 was re-embedded
    assert watched.scope_table() is not None


def test_a_scope_table_survives_saving_and_loading(tmp_path: Path) -> None:
    metas: list[dict[str, object]] = [
        {"owner_id": "rep1", "account_id": "A1", "occurred_ts": 5, "occurred_day": 20240101},
        {"owner_id": "rep2", "contact_id": "C1", "occurred_ts": 7, "occurred_day": 20240102},
    ]
    table = ScopeTable.from_records(["a#0", "b#0"], metas)
    table.save(tmp_path / "scope.npz")
    loaded = ScopeTable.load(tmp_path / "scope.npz")
    assert loaded is not None and loaded.token == table.token
    assert scope_rows(loaded) == scope_rows(table)
    assert scope_rows(table)["b#0"][1] == (False, "")  # no account: fails any account filter
    assert ScopeTable.load(tmp_path / "missing.npz") is None
