from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

import knowledge.search
from knowledge.indexing import index_notes
from knowledge.scope_table import ScopeTable
from knowledge.search import (
    NoteHit,
    NoteIndex,
    UnsupportedFilter,
    day_number,
    note_filter,
    open_note_index,
    pre_filter,
    where_mask,
)
from knowledge.tools import NoteSearchResult, NotesIndexUnavailable, search_notes
from tests.knowledge.builders_notes import build_world, note
from tests.knowledge.conftest import FakeEmbedder
from tools.catalog import build_spec
from tools.context import ToolContext
from tools.errors import InvalidArgument, NotFound

QUERY = "the CFO approves the budget and signs"
LATE = dt.date(2024, 12, 31)


@pytest.fixture
def store(engine: Engine, tmp_path: Path, fake_embedder: FakeEmbedder) -> Iterator[Session]:
    build_world(engine)
    index = open_note_index(tmp_path, embedder=fake_embedder)
    with Session(engine) as session:
        index_notes(session, index)
        session.info["index"] = index
        yield session


def ask(session: Session, user: str, as_of: dt.date = LATE, **args: object) -> NoteSearchResult:
    ctx = ToolContext.for_user(session, user, as_of, knowledge=session.info["index"])
    return search_notes(ctx, **{"query": QUERY, **args})  # type: ignore[arg-type]


def ids(result: NoteSearchResult) -> set[str]:
    return {p.note_id for p in result.passages}


def test_a_rep_finds_only_notes_on_their_own_book(store: Session) -> None:
    assert ids(ask(store, "rep1", limit=20)) == {"N1", "N2", "N5"}
    assert ids(ask(store, "rep3", limit=20)) == {"N4"}


def test_a_manager_finds_the_team_notes_and_an_admin_all_notes(store: Session) -> None:
    assert ids(ask(store, "mgr", limit=20)) == {"N1", "N2", "N3", "N5"}
    assert ids(ask(store, "boss", limit=20)) == {"N1", "N2", "N3", "N4", "N5"}


def test_notes_written_after_the_analysis_date_do_not_exist(store: Session) -> None:
    assert ids(ask(store, "boss", as_of=dt.date(2024, 3, 5))) == {"N1", "N3"}
    assert ids(ask(store, "boss", as_of=dt.date(2024, 3, 4))) == {"N1"}


def test_since_and_until_are_inclusive_days(store: Session) -> None:
    found = ask(store, "boss", since=dt.date(2024, 3, 5), until=dt.date(2024, 3, 7))
    assert ids(found) == {"N3", "N4"}


def test_the_closest_passage_comes_first_with_its_account_and_date(store: Session) -> None:
    found = ask(store, "rep1", account_id="A1")
    assert [p.note_id for p in found.passages][-1] == "N2"  # the lunch note shares least
    best = found.passages[0]
    assert best.note_id == "N1"
    assert (best.account_id, best.account_name, best.kind) == ("A1", "Acme", "note")
    assert (best.opportunity_id, best.contact_id, best.date) == ("O1", "C1", dt.date(2024, 3, 1))
    assert best.text == "The CFO Maria approves the budget and signs the contract."
    scores = [p.score for p in found.passages]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1
    assert found.count == 3


def test_opportunity_and_contact_filters_narrow_the_notes(store: Session) -> None:
    assert ids(ask(store, "rep1", opportunity_id="O1")) == {"N1"}
    assert ids(ask(store, "rep1", contact_id="C1")) == {"N1"}


def test_asking_about_another_reps_account_or_contact_is_not_found(store: Session) -> None:
    with pytest.raises(NotFound, match="not found or not yours"):
        ask(store, "rep2", account_id="A1")
    with pytest.raises(NotFound, match="contact"):
        ask(store, "rep2", contact_id="C1")
    with pytest.raises(NotFound):
        ask(store, "rep3", opportunity_id="O1")


def test_a_long_note_appears_once_with_its_best_passage(store: Session) -> None:
    body = " ".join(f"Item {i} of the security questionnaire was reviewed." for i in range(30))
    store.add(note("L1", "A3", "2024-04-01", body + " The CFO approves the budget and signs."))
    store.commit()
    index_notes(store, store.info["index"])
    passages = [p for p in ask(store, "rep3", limit=20).passages if p.note_id == "L1"]
    assert len(passages) == 1
    assert passages[0].text.endswith("The CFO approves the budget and signs.")


def test_without_a_notes_index_the_tool_says_to_build_it(store: Session) -> None:
    ctx = ToolContext.for_user(store, "rep1", LATE)
    with pytest.raises(NotesIndexUnavailable, match="dealwise index"):
        search_notes(ctx, query=QUERY)


@pytest.mark.parametrize(
    "args",
    [
        {"limit": 0},
        {"limit": 21},
        {"query": "  "},
        {"since": dt.date(2024, 3, 5), "until": dt.date(2024, 3, 1)},
    ],
)
def test_nonsensical_arguments_are_refused(store: Session, args: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        ask(store, "rep1", **args)


def test_the_filter_restricts_owners_for_reps_but_not_for_admins() -> None:
    end = dt.datetime(2024, 3, 2, tzinfo=dt.UTC)
    rep = note_filter(owner_ids=frozenset({"rep1"}), before=end)
    assert rep == {"$and": [{"occurred_ts": {"$lt": 1709337600}}, {"owner_id": {"$in": ["rep1"]}}]}
    assert note_filter(owner_ids=None, before=end) == {"occurred_ts": {"$lt": 1709337600}}
    assert note_filter(owner_ids=None, before=None) == {}


def test_the_date_condition_is_needed_only_before_the_newest_note(store: Session) -> None:
    index: NoteIndex = store.info["index"]
    newest = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)  # N5
    assert index.has_notes_from(newest)
    assert not index.has_notes_from(newest + dt.timedelta(seconds=1))


def test_the_catalog_entry_of_search_notes_documents_every_argument() -> None:
    spec = build_spec(search_notes)
    schema = spec.input_schema()
    assert schema["required"] == ["query"]
    assert set(schema["properties"]) == {
        "query",
        "account_id",
        "opportunity_id",
        "contact_id",
        "since",
        "until",
        "limit",
    }
    assert all(prop["description"] for prop in schema["properties"].values())


def test_an_index_opens_nothing_until_it_is_searched(tmp_path: Path) -> None:
    index = open_note_index(tmp_path / "never", embedder=FakeEmbedder())
    assert isinstance(index, NoteIndex)
    assert not (tmp_path / "never").exists()


def test_an_index_built_by_another_model_is_reported_as_unavailable(
    store: Session, tmp_path: Path
) -> None:
    class OtherModel(FakeEmbedder):
        name = "other-model"

    other = open_note_index(tmp_path, embedder=OtherModel())
    ctx = ToolContext.for_user(store, "rep1", LATE, knowledge=other)
    with pytest.raises(NotesIndexUnavailable, match="--full"):
        search_notes(ctx, query=QUERY)


# The post-filtered search (an unfiltered candidate pool filtered in numpy) must give
# exactly what Chroma's filtered query gives, and never a note outside the filter.

WORDS = [
    "cfo",
    "budget",
    "signs",
    "contract",
    "price",
    "hosting",
    "legal",
    "champion",
    "erp",
    "deck",
    "audit",
    "lunch",
]
WHERES = [
    note_filter(owner_ids=frozenset({"u1"}), before=None),
    note_filter(owner_ids=frozenset({"u1", "u2", "u3"}), before=None),
    note_filter(owner_ids=frozenset({"u1"}), before=dt.datetime(2024, 1, 20, tzinfo=dt.UTC)),
    note_filter(owner_ids=frozenset({"u2"}), before=None, account_id="a3"),
    note_filter(owner_ids=None, before=None, since=dt.date(2024, 1, 10), until=LATE),
    note_filter(owner_ids=frozenset(), before=None),
]


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> NoteIndex:
    """400 one-chunk notes over 8 owners, 20 accounts and 31 days (fixed seed), no table."""
    return crowd(tmp_path_factory.mktemp("crowded"))


@pytest.fixture(scope="module")
def scoped(tmp_path_factory: pytest.TempPathFactory) -> NoteIndex:
    """The same notes as ``crowded`` with a scope table read from what Chroma holds."""
    index = crowd(tmp_path_factory.mktemp("scoped"))
    index.save_scope_table(ScopeTable.from_collection(index.collection()))
    return index


def crowd(folder: Path) -> NoteIndex:
    rng = np.random.default_rng(5)
    index = open_note_index(folder, embedder=FakeEmbedder())
    texts = [" ".join([*rng.choice(WORDS, 5), f"n{i}"]) for i in range(400)]
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(31, size=400)]
    metas: list[dict[str, str | int]] = [
        {
            "activity_id": f"n{i}",
            "chunk": 0,
            "owner_id": f"u{i % 8}",
            "account_id": f"a{i % 20}",
            "occurred_ts": int(dt.datetime.combine(day, dt.time(9), dt.UTC).timestamp()),
            "occurred_day": day_number(day),
        }
        for i, day in enumerate(days)
    ]
    index.collection().add(
        ids=[f"n{i}#0" for i in range(400)],
        embeddings=index.embedder.embed(texts),
        documents=texts,
        metadatas=metas,  # type: ignore[arg-type]
    )
    return index


def searched(index: NoteIndex, where: dict[str, object], pool_factor: int) -> list[NoteHit]:
    index.pool_factor = pool_factor
    return index.search("cfo signs the budget contract", where=where, limit=5)


@pytest.mark.parametrize("where", WHERES)
def test_post_filtering_a_candidate_pool_equals_the_filtered_query(
    crowded: NoteIndex, where: dict[str, object]
) -> None:
    filtered = searched(crowded, where, 0)
    for factor in (2, 4, 100):
        found = searched(crowded, where, factor)
        assert [(h.activity_id, h.score) for h in found] == [
            (h.activity_id, h.score) for h in filtered
        ]


@pytest.mark.parametrize("where", WHERES)
def test_a_post_filtered_search_returns_only_notes_the_filter_allows(
    crowded: NoteIndex, where: dict[str, object]
) -> None:
    hits = searched(crowded, where, 4)
    everything = crowded.collection().get(include=["metadatas"])
    allowed = {
        str(m["activity_id"])
        for m, ok in zip(
            everything["metadatas"] or [],
            where_mask(where, everything["metadatas"] or []),
            strict=True,
        )  # type: ignore[arg-type]
        if ok
    }
    assert {h.activity_id for h in hits} <= allowed
    assert len(hits) == min(5, len(allowed))


def test_too_few_survivors_in_the_pool_fall_back_to_the_filtered_query(
    crowded: NoteIndex,
) -> None:
    vector = crowded.embedder.embed(["cfo signs"])
    crowded.pool_factor = 2  # 30 unfiltered candidates of 400: 2 owners of 8 leave ~7 of 15
    pair = note_filter(owner_ids=frozenset({"u1", "u2"}), before=None)
    assert crowded._post_filtered(vector, pair, 15) is None
    broad = note_filter(owner_ids=frozenset(f"u{i}" for i in range(7)), before=None)
    assert crowded._post_filtered(vector, broad, 15) is not None


def test_chroma_prefilters_only_the_fast_selective_condition() -> None:
    past = dt.datetime(2024, 1, 20, tzinfo=dt.UTC)
    rep, team = frozenset({"u1"}), frozenset({"u1", "u2"})
    account = {"account_id": {"$eq": "a3"}}
    assert pre_filter(note_filter(owner_ids=rep, before=past, account_id="a3")) == account
    assert pre_filter(note_filter(owner_ids=rep, before=past)) == {"owner_id": {"$in": ["u1"]}}
    assert pre_filter(note_filter(owner_ids=team, before=None)) == {}
    assert pre_filter(note_filter(owner_ids=None, before=past)) == {}
    assert pre_filter(note_filter(owner_ids=rep, before=None)) is None
    assert pre_filter(note_filter(owner_ids=None, before=None, account_id="a3")) is None


def test_the_numpy_filter_follows_chromas_operators() -> None:
    metas: list[dict[str, object]] = [
        {"owner_id": "u1", "occurred_ts": 10, "account_id": "a1"},
        {"owner_id": "u2", "occurred_ts": 20, "account_id": "a1"},
        {"owner_id": "u1", "occurred_ts": 30},
    ]
    rep = {"$and": [{"owner_id": {"$in": ["u1"]}}, {"occurred_ts": {"$lt": 30}}]}
    assert where_mask(rep, metas).tolist() == [True, False, False]
    assert where_mask({"account_id": {"$eq": "a1"}}, metas).tolist() == [True, True, False]
    assert where_mask({"occurred_ts": {"$gte": 20}}, metas).tolist() == [False, True, True]
    assert where_mask({"occurred_ts": {"$lte": 20}}, metas).tolist() == [True, True, False]
    assert where_mask({}, metas).tolist() == [True, True, True]
    with pytest.raises(UnsupportedFilter):
        where_mask({"owner_id": {"$ne": "u1"}}, metas)
    with pytest.raises(UnsupportedFilter):
        where_mask({"$or": [{"owner_id": {"$eq": "u1"}}]}, metas)


# The scope-table search (ids that pass the filter in numpy, then Chroma's id-restricted
# query or exact ranking in numpy) must give what Chroma's filtered query gives.


@pytest.mark.parametrize("brute_force_max", [0, 200])
@pytest.mark.parametrize("where", WHERES)
def test_searching_the_ids_of_the_scope_table_equals_the_filtered_query(
    crowded: NoteIndex,
    scoped: NoteIndex,
    where: dict[str, object],
    brute_force_max: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(knowledge.search, "BRUTE_FORCE_MAX", brute_force_max)
    table = scoped.scope_table()
    assert table is not None
    selective = len(table.allowed(where)) <= len(table) // 4
    vector = scoped.embedder.embed(["cfo signs the budget contract"])
    assert (scoped._scoped(vector, where, 15) is not None) == selective
    expected = [(h.activity_id, h.score) for h in searched(crowded, where, 0)]
    assert [(h.activity_id, h.score) for h in searched(scoped, where, 10)] == expected


def test_a_stale_scope_table_never_lets_a_note_outside_the_filter_through(
    tmp_path: Path,
) -> None:
    index = crowd(tmp_path)
    index.save_scope_table(ScopeTable.from_collection(index.collection()))
    rep = note_filter(owner_ids=frozenset({"u1"}), before=None)
    best = searched(index, rep, 10)[0]
    # Chroma changes behind the table's back: the best note moves to another owner.
    index.collection().update(ids=[f"{best.activity_id}#0"], metadatas=[{"owner_id": "u7"}])
    vector = index.embedder.embed(["cfo signs the budget contract"])
    assert index._scoped(vector, rep, 15) is None  # the hit fails the filter
    found = searched(index, rep, 10)
    assert best.activity_id not in {h.activity_id for h in found}
    assert all(h.metadata["owner_id"] == "u1" for h in found)


def test_a_scope_table_the_collection_does_not_name_is_not_used(tmp_path: Path) -> None:
    from knowledge.store import stamp_scope

    index = crowd(tmp_path)
    index.save_scope_table(ScopeTable.from_collection(index.collection()))
    assert index.scope_table() is not None
    stamp_scope(index.collection(), "another-token")
    assert index.scope_table() is None
    index.save_scope_table(None)
    assert index.scope_table() is None
