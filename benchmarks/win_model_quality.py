"""Holdout quality of the win model families on the demo world.

``python -m benchmarks win_model_quality [--scale 1] [--db PATH]``

Builds the training set exactly as the tool does (closed deals seen at the midpoint of
their last open stage), trains each family on the 80 % closed first and scores the 20 %
closed last: Brier score (lower is better; the base-rate forecast is the reference),
AUC, and a five-bin reliability table of the calibrated probabilities.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks.common import DEMO_AS_OF, demo_store


def main(argv: list[str]) -> None:
    import sklearn.ensemble  # noqa: F401  (load OpenMP before limiting its threads)
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sqlmodel import Session
    from threadpoolctl import threadpool_limits

    from crm.scope import Scope
    from tools.context import ToolContext
    from tools.win_model import FAMILIES, make_estimator, training_set

    parser = argparse.ArgumentParser(prog="win_model_quality")
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args(argv)
    path = args.db or Path(f".dealwise/bench/pipeline_{args.scale:g}.db")
    engine = demo_store(path, scale=args.scale, as_of=DEMO_AS_OF)
    with Session(engine) as session, threadpool_limits(limits=1):
        ctx = ToolContext(session=session, scope=Scope.everything(), as_of=DEMO_AS_OF)
        start = time.perf_counter()
        features, _, labels = training_set(ctx)
        print(f"scale {args.scale:g}: {len(labels)} closed deals, win rate {labels.mean():.3f}, "
              f"features built in {time.perf_counter() - start:.1f} s")  # fmt: skip
        cut = int(len(labels) * 0.8)
        test_y = labels[cut:]
        base = np.full(len(test_y), labels[:cut].mean())
        print(f"holdout: {len(test_y)} deals closed last; base-rate Brier "
              f"{brier_score_loss(test_y, base):.4f}")  # fmt: skip
        for family in FAMILIES:
            start = time.perf_counter()
            model = make_estimator(family).fit(features.iloc[:cut], labels[:cut])
            p = model.predict_proba(features.iloc[cut:])[:, 1]
            took = time.perf_counter() - start
            print(f"{family:<20} Brier {brier_score_loss(test_y, p):.4f}  "
                  f"AUC {roc_auc_score(test_y, p):.4f}  fit {took:.1f} s")  # fmt: skip
            _reliability(p, test_y)


def _reliability(p: np.ndarray, y: np.ndarray) -> None:
    """Mean predicted vs observed win rate in five probability bins."""
    bins = np.minimum((p * 5).astype(int), 4)
    cells = []
    for b in range(5):
        mask = bins == b
        if mask.any():
            cells.append(f"[{b / 5:.1f},{(b + 1) / 5:.1f}) n={mask.sum()} "
                         f"pred {p[mask].mean():.2f} obs {y[mask].mean():.2f}")  # fmt: skip
    print("    reliability: " + "; ".join(cells))
