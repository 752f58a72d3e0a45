from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from chromadb.api.types import DefaultEmbeddingFunction

from knowledge.embeddings import SentenceTransformerEmbedder, default_model_path
from knowledge.store import (
    DealwiseEmbeddingFunction,
    IndexMismatch,
    open_client,
    open_collection,
)
from tests.knowledge.conftest import FakeEmbedder


class OtherEmbedder(FakeEmbedder):
    name = "other-model"


@pytest.fixture(autouse=True)
def _chroma_default_function_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: object, input: object) -> object:
        raise AssertionError("chromadb's default embedding function was used")

    monkeypatch.setattr(DefaultEmbeddingFunction, "__call__", refuse)


def test_the_local_store_lives_in_the_chroma_folder_of_the_data_dir(tmp_path: Path) -> None:
    open_collection(open_client(tmp_path / "data"), FakeEmbedder())
    assert (tmp_path / "data" / "chroma" / "chroma.sqlite3").exists()


def test_the_collection_is_created_with_our_function_and_cosine_space(tmp_path: Path) -> None:
    collection = open_collection(open_client(tmp_path), FakeEmbedder())
    config = collection.configuration_json
    assert config["embedding_function"]["name"] == "dealwise"
    assert config["hnsw"]["space"] == "cosine"


def test_a_reopened_collection_embeds_documents_and_queries_with_our_function(
    tmp_path: Path,
) -> None:
    open_collection(open_client(tmp_path), FakeEmbedder())
    embedder = FakeEmbedder()
    collection = open_collection(open_client(tmp_path), embedder)
    collection.add(ids=["a", "b"], documents=["budget approval by the CFO", "lunch plans"])
    found = collection.query(query_texts=["who approves the budget"], n_results=1)
    assert found["ids"] == [["a"]]
    assert embedder.texts_embedded == 3


def test_opening_an_index_built_by_another_model_asks_for_a_rebuild(tmp_path: Path) -> None:
    open_collection(open_client(tmp_path), FakeEmbedder())
    with pytest.raises(IndexMismatch, match="--full"):
        open_collection(open_client(tmp_path), OtherEmbedder())
    rebuilt = open_collection(open_client(tmp_path), OtherEmbedder(), reset=True)
    assert rebuilt.metadata == {"embedder": "other-model"}


def test_reset_drops_what_the_collection_held(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    first = open_collection(open_client(tmp_path), embedder)
    first.add(ids=["a"], embeddings=embedder.embed(["x"]))
    assert open_collection(open_client(tmp_path), embedder, reset=True).count() == 0


def test_the_function_returns_our_vectors_and_rebuilds_from_its_config() -> None:
    embedder = FakeEmbedder()
    function = DealwiseEmbeddingFunction(embedder)
    vectors = function(["one text", "another text"])
    assert np.allclose(np.stack(vectors), embedder.embed(["one text", "another text"]))
    packaged = DealwiseEmbeddingFunction(SentenceTransformerEmbedder())
    rebuilt = DealwiseEmbeddingFunction.build_from_config(packaged.get_config())
    assert isinstance(rebuilt.embedder, SentenceTransformerEmbedder)
    assert rebuilt.embedder.path == default_model_path()
