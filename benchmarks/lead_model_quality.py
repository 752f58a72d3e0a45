"""Lead conversion model quality on the demo world, and the latency of the lead/metric tools.

``python -m benchmarks lead_model_quality [--scale 1] [--seed 7]``

Builds the demo world (as of 2026-06-30) in a temporary SQLite file, takes the leads
with a known outcome (converted / disqualified) and measures:

- a *temporal holdout*: train on the oldest 75 %, test on the newest 25 % (what a
  deployed model faces), reporting ROC AUC and Brier score of the calibrated model,
  the Brier score of the training base rate, and the AUC of the fit score and of the
  raw engagement points alone;
- 5-fold stratified cross-validation AUC and Brier (mean ± sd), a steadier estimate;
- wall time of ``score_leads`` (cold, i.e. with the model fit, and warm) and of
  ``value_metrics`` for the whole company.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlmodel import Session

from benchmarks.common import DEMO_AS_OF, demo_store
from crm.scope import Scope
from tools.context import ToolContext
from tools.lead_fit import fit_ratios, fit_scores
from tools.lead_model import fit_conversion_model
from tools.leads import behaviour_scores, lead_frame, score_leads
from tools.metrics import value_metrics


def _quality(train: pd.DataFrame, test: pd.DataFrame) -> tuple[float, float, float]:
    """AUC and Brier of the model fitted on ``train``, and the base-rate Brier, on ``test``."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    model = fit_conversion_model(train, train["status"] == "converted")
    y = (test["status"] == "converted").to_numpy()
    p = model.probabilities(test)
    base = np.full(len(test), (train["status"] == "converted").mean())
    return roc_auc_score(y, p), brier_score_loss(y, p), brier_score_loss(y, base)


def _report(ctx: ToolContext) -> None:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    leads = lead_frame(ctx)
    labelled = leads[leads["status"].isin(["converted", "disqualified"])]
    labelled = labelled.sort_values("created")
    y = (labelled["status"] == "converted").to_numpy()
    print(f"labelled leads: {len(labelled)} ({y.sum()} converted)")
    cut = int(len(labelled) * 0.75)
    train, test = labelled.iloc[:cut], labelled.iloc[cut:]
    auc, brier, base = _quality(train, test)
    y_test = y[cut:]
    print(f"temporal holdout: train {len(train)}, test {len(test)} ({y_test.sum()} converted)")
    print(f"  model AUC {auc:.3f}  Brier {brier:.4f}  (base-rate Brier {base:.4f})")
    fit = fit_scores(test, fit_ratios(ctx))["fit"]
    points = behaviour_scores(test)["points"]
    print(f"  fit-score AUC {roc_auc_score(y_test, fit):.3f}")
    print(f"  engagement-points AUC {roc_auc_score(y_test, points):.3f}")
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    results = np.array(
        [_quality(labelled.iloc[a], labelled.iloc[b]) for a, b in folds.split(labelled, y)]
    )
    mean, sd = results.mean(axis=0), results.std(axis=0)
    print(
        f"5-fold CV: AUC {mean[0]:.3f} ± {sd[0]:.3f}  Brier {mean[1]:.4f} ± {sd[1]:.4f}"
        f"  (base-rate Brier {mean[2]:.4f})"
    )


def _timed(label: str, call: object) -> None:
    start = time.perf_counter()
    call()  # type: ignore[operator]
    print(f"{label}: {(time.perf_counter() - start) * 1000:.0f} ms")


def main(argv: list[str]) -> None:
    """Build the demo world and print model quality and tool timings."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks lead_model_quality")
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        engine = demo_store(
            Path(tmp) / "demo.db", scale=args.scale, seed=args.seed, as_of=DEMO_AS_OF
        )
        print(f"demo world: scale {args.scale:g}, seed {args.seed}, as of {DEMO_AS_OF}")
        with Session(engine) as session:
            ctx = ToolContext(session, Scope.everything(), DEMO_AS_OF)
            _report(ctx)
            import sklearn.calibration  # noqa: F401  (import time is not the tool's)

            _timed("score_leads (cold: model fit)", lambda: score_leads(ctx))
            _timed("score_leads (warm: cached model)", lambda: score_leads(ctx))
            _timed("value_metrics (company, 12 months)", lambda: value_metrics(ctx))
        engine.dispose()
