"""Explained win probability of an open deal: a calibrated model, or a smoothed fallback.

Training set: every deal closed by ``as_of`` (whole store, the fitting scope; at most the
20,000 most recently created), each seen at one reproducible pseudo-random moment of its
open life, with features built from records before that moment only
(:mod:`tools.win_features`). Seeing every deal at the end of its last open stage instead
would leak the outcome: won deals always leave through the final open stage. Two families
are compared on a time-based holdout (train on the 80 % closed first, test on the
20 % closed last): logistic regression on standardised numeric + one-hot categorical
features, and histogram gradient boosting. Both are calibrated with Platt scaling
(``CalibratedClassifierCV(method="sigmoid", cv=3)``; Platt 1999, "Probabilistic outputs
for support vector machines"); the family with the lower holdout Brier score
(Brier 1950) is refitted on all closed deals. AUC is reported alongside.

Factors are per-feature ablations against 25 reference deals drawn from the training
set: the probability minus the mean probability with that one feature replaced by each
reference deal's value, in points (an interventional, one-feature-at-a-time SHAP-like
difference; Štrumbelj & Kononenko 2014). For logistic regression it is the
probability-scale image of coefficient × standardised deviation from the reference mean.

With fewer than 40 closed deals (or fewer than 5 of a class) the tool says so and uses
the stage's Beta-smoothed historical win rate (:func:`tools.forecast.stage_win_rates`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sqlmodel import col
from threadpoolctl import ThreadpoolController, threadpool_limits

from crm.models import Opportunity
from tools.catalog import tool
from tools.context import ToolContext
from tools.forecast import stage_win_rates
from tools.pipeline import deal_snapshot
from tools.pipeline_cache import cached, company
from tools.pipeline_data import (
    from_days,
    history_frame,
    opportunity_filter,
    snapshot,
    stages_frame,
    to_days,
)
from tools.records import get_opportunity
from tools.win_explain import Factor, describe_factors
from tools.win_features import CATEGORICAL, NUMERIC, build_features, owner_track

MIN_CLOSED = 40
MIN_CLASS = 5
MAX_TRAINING = 20_000
REFERENCE_DEALS = 25
Family = Literal["logistic_regression", "gradient_boosting"]
FAMILIES: tuple[Family, ...] = ("logistic_regression", "gradient_boosting")


@dataclass(frozen=True)
class TrainedModel:
    """A fitted, calibrated win model with its holdout quality."""

    family: Family
    estimator: Any
    reference: pd.DataFrame
    n_closed: int
    brier: dict[Family, float]
    auc: dict[Family, float]
    closed: pd.DataFrame


def training_set(ctx: ToolContext) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """(features, closed-deal track records, won labels), rows in close-time order.

    Each closed deal is seen at one moment of its open life (:func:`_snapshots`), so
    early-stage deals that were later won are in the training data too.

    Rows are the closed deals created since the creation date of the MAX_TRAINING-th
    most recent one (bounded cost at any scale); track records use every closed deal.
    """
    conditions = opportunity_filter(ctx)
    closed = snapshot(ctx, ("won", "lost"), conditions)
    track = owner_track(closed.assign(closed=closed["entered"], won=closed["outcome"] == "won"))
    if len(closed) > MAX_TRAINING:
        since = float(closed["created"].nlargest(MAX_TRAINING).iloc[-1])
        conditions = [*conditions, col(Opportunity.created_at) >= from_days(since)]
        closed = closed[closed["created"] >= since]
    points = _snapshots(closed, history_frame(ctx, conditions), stages_frame(ctx))
    features = build_features(ctx, points, conditions, track)
    return features, track, (points["outcome"] == "won").to_numpy()


def _snapshots(closed: pd.DataFrame, visits: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """Each closed deal seen once at a pseudo-random moment of its open life.

    t = created + u·(closed - created) with u in [0.05, 0.95] from a hash of the id
    (reproducible); the stage at t is the last history entry before t. Rows are in
    close-time order.
    """
    hashed = pd.util.hash_pandas_object(closed["id"], index=False).to_numpy() % 10_000
    u = 0.05 + 0.9 * hashed / 10_000
    created = closed["created"].to_numpy(dtype=float)
    points = (
        closed.drop(columns=["stage"])
        .assign(
            t=created + u * (closed["entered"].to_numpy(dtype=float) - created),
            closed_at=closed["entered"],
        )
        .drop(columns=["entered"])
    )
    history = visits[["opportunity_id", "stage", "entered"]].astype({"opportunity_id": object})
    points = pd.merge_asof(
        points.astype({"id": object}).sort_values("t"), history.sort_values("entered"),
        left_on="t", right_on="entered", left_by="id", right_by="opportunity_id",
    )  # fmt: skip
    points = points[points["stage"].map(stages["outcome"]) == "open"]
    return points.sort_values("closed_at").reset_index(drop=True)


def make_estimator(family: Family) -> Any:
    """An unfitted, Platt-calibrated pipeline of the given family."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    if family == "logistic_regression":
        encode = ColumnTransformer(
            [("num", StandardScaler(), NUMERIC),
             ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=5), CATEGORICAL)]
        )  # fmt: skip
        model: Any = LogisticRegression(max_iter=2000, C=0.5)
    else:
        encode = ColumnTransformer(
            [("num", "passthrough", NUMERIC),
             ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                    max_categories=60), CATEGORICAL)]
        )  # fmt: skip
        categorical = list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL)))
        model = HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.08, max_leaf_nodes=15, early_stopping=True,
            n_iter_no_change=10, categorical_features=categorical, random_state=0,
        )  # fmt: skip
    return CalibratedClassifierCV(Pipeline([("encode", encode), ("model", model)]), cv=3)


def compare_families(
    features: pd.DataFrame, labels: np.ndarray, holdout: float = 0.2
) -> tuple[dict[Family, float], dict[Family, float]]:
    """Holdout Brier score and AUC of each family (rows must be in close-time order)."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    cut = int(len(labels) * (1 - holdout))
    train_y, test_y = labels[:cut], labels[cut:]
    if min(train_y.sum(), (~train_y).sum()) < MIN_CLASS or len(set(test_y)) < 2:
        return {}, {}
    brier: dict[Family, float] = {}
    auc: dict[Family, float] = {}
    for family in FAMILIES:
        estimator = make_estimator(family).fit(features.iloc[:cut], train_y)
        p = estimator.predict_proba(features.iloc[cut:])[:, 1]
        brier[family] = float(brier_score_loss(test_y, p))
        auc[family] = float(roc_auc_score(test_y, p))
    return brier, auc


@dataclass(frozen=True)
class TooFewDeals:
    """Not enough closed deals (or of one outcome) to train a model."""

    n_closed: int


def train(ctx: ToolContext) -> TrainedModel | TooFewDeals:
    """Fit the win model on the store's closed deals."""
    features, track, labels = training_set(ctx)
    if len(labels) < MIN_CLOSED or min(labels.sum(), (~labels).sum()) < MIN_CLASS:
        return TooFewDeals(len(labels))
    brier, auc = compare_families(features, labels)
    family = _best(brier)
    reference = features.sample(min(REFERENCE_DEALS, len(features)), random_state=0)
    estimator = make_estimator(family).fit(features, labels)
    return TrainedModel(family, estimator, reference, len(labels), brier, auc, track)


def _best(brier: dict[Family, float]) -> Family:
    """The family with the lowest holdout Brier score (logistic regression if untested)."""
    return min(FAMILIES, key=lambda f: brier.get(f, 1.0 if f == FAMILIES[0] else 2.0))


def trained_model(ctx: ToolContext) -> TrainedModel | TooFewDeals:
    """The win model for the store as of ``as_of`` (trained once, then cached).

    Training runs single-threaded: on a shared machine OpenMP thread pools spin and
    slow gradient boosting down by an order of magnitude.
    """
    import sklearn.ensemble  # noqa: F401  (loads OpenMP, so the limit below reaches it)

    def fit() -> TrainedModel | TooFewDeals:
        with threadpool_limits(limits=1):
            return train(company(ctx))

    return cached(ctx, "win_model", fit)


class WinProbability(BaseModel):
    """How likely an open deal is to be won, and why."""

    opportunity_id: str = Field(description="The deal.")
    stage: str = Field(description="Stage as of as_of.")
    probability: float = Field(description="Estimated probability of winning (0-1).")
    model_used: Literal["model", "fallback", "closed"] = Field(
        description="model: the trained model; fallback: stage win rate; closed: already decided."
    )
    model_family: Family | None = Field(description="Model family chosen on the holdout.")
    calibration_note: str = Field(description="How the figure was produced and how reliable.")
    factors_up: list[Factor] = Field(description="What raises the probability, strongest first.")
    factors_down: list[Factor] = Field(description="What lowers it, strongest first.")
    closed_deals_used: int = Field(description="Closed deals the estimate learnt from.")
    holdout_brier: float | None = Field(description="Brier score on the time-based holdout.")
    holdout_auc: float | None = Field(description="AUC on the time-based holdout.")
    opportunity_ids: list[str] = Field(description="Record ids behind the figure.")


@tool
def win_probability(ctx: ToolContext, *, opportunity_id: str) -> WinProbability:
    """Estimate the chance an open deal is won, with the factors pushing it up and down.

    Use for "will we win the Acme deal", "what are the odds on this renewal", or
    before a deal review. The factors are in plain words with their effect in points.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        opportunity_id: The deal's id.
    """
    get_opportunity(ctx, opportunity_id)
    only = [col(Opportunity.id) == opportunity_id]
    deal = deal_snapshot(ctx, opportunity_id).iloc[[0]]
    stage, outcome = str(deal["stage"].iloc[0]), str(deal["outcome"].iloc[0])
    base = {"opportunity_id": opportunity_id, "stage": stage, "opportunity_ids": [opportunity_id]}
    if outcome != "open":
        return WinProbability(
            **base, probability=1.0 if outcome == "won" else 0.0, model_used="closed",
            model_family=None, calibration_note=f"The deal is already {outcome}.",
            factors_up=[], factors_down=[], closed_deals_used=0, holdout_brier=None,
            holdout_auc=None,
        )  # fmt: skip
    model = trained_model(ctx)
    if isinstance(model, TooFewDeals):
        return _fallback(ctx, base, stage, model.n_closed)
    now = to_days(ctx.as_of_end) - 1e-9  # the last instant of as_of: day counts end on as_of
    features = build_features(ctx, deal.assign(t=now), only, model.closed)
    p, effects = _ablate(model, features)
    up, down = describe_factors(features.iloc[0], effects)
    return WinProbability(
        **base, probability=round(p, 4), model_used="model", model_family=model.family,
        calibration_note=(
            f"{model.family.replace('_', ' ')} trained on {model.n_closed} closed deals, "
            "Platt-calibrated; chosen by holdout Brier score."
        ),
        factors_up=up, factors_down=down, closed_deals_used=model.n_closed,
        holdout_brier=_rounded(model.brier.get(model.family)),
        holdout_auc=_rounded(model.auc.get(model.family)),
    )  # fmt: skip


def _ablate(model: TrainedModel, features: pd.DataFrame) -> tuple[float, dict[str, float]]:
    """The probability and each feature's effect in points (one batched prediction).

    Effect = p(deal) - mean p(deal with that feature taken from each reference deal).
    Reference deals sharing a value give the same prediction, and one whose value is the
    deal's own gives p(deal): so each distinct other value is predicted once and weighted
    by how many reference deals hold it (about 150 rows instead of 14 × 25 + 1; the same
    mean up to float rounding).
    """
    columns = NUMERIC + CATEGORICAL
    k = len(model.reference)
    own = {name: features[name].to_numpy()[0] for name in columns}
    blocks: list[tuple[np.ndarray, np.ndarray]] = []  # per feature: other values, their counts
    for name in columns:
        codes, distinct = pd.factorize(model.reference[name])
        counts = np.bincount(codes, minlength=len(distinct))
        other = np.asarray(distinct) != own[name]
        blocks.append((np.asarray(distinct)[other], counts[other]))
    ends = 1 + np.cumsum([len(values) for values, _ in blocks])
    data: dict[str, np.ndarray] = {}
    for i, name in enumerate(columns):  # one column array each, not n copies of the row
        column = np.repeat(features[name].to_numpy()[:1], ends[-1])
        column[ends[i] - len(blocks[i][0]) : ends[i]] = blocks[i][0]
        data[name] = column
    with _single_thread():  # OpenMP spinning on a busy machine costs seconds
        p = won_probability(model, pd.DataFrame(data)[features.columns])
    effects = {}
    for i, name in enumerate(columns):
        values, counts = blocks[i]
        others = p[ends[i] - len(values) : ends[i]] @ counts + p[0] * (k - counts.sum())
        effects[name] = 100 * (p[0] - others / k)
    return float(p[0]), effects


def won_probability(model: TrainedModel, frame: pd.DataFrame) -> np.ndarray:
    """``model.estimator.predict_proba(frame)[:, 1]``, computed fold by fold.

    ``CalibratedClassifierCV`` averages its folds' Platt-scaled scores. For gradient
    boosting each fold's column transformer (numbers passed through, categories
    ordinal-encoded, see :func:`make_estimator`) is applied here on arrays, skipping most
    of scikit-learn's per-call DataFrame handling (categories through :func:`_ordinal`):
    ≈ 7 instead of 16 ms for the ~150 ablation rows of one deal, with identical values
    (tested against predict_proba).
    """
    if model.family != "gradient_boosting":
        return np.asarray(model.estimator.predict_proba(frame)[:, 1])
    numbers = frame[NUMERIC].to_numpy(dtype=float)
    categories = frame[CATEGORICAL]
    folds = model.estimator.calibrated_classifiers_
    total = np.zeros(len(frame))
    for fold in folds:
        encode, boost = fold.estimator.named_steps["encode"], fold.estimator.named_steps["model"]
        encoded = np.hstack([numbers, _ordinal(encode.named_transformers_["cat"], categories)])
        total += fold.calibrators[0].predict(boost.decision_function(encoded))
    return total / len(folds)


_CODES: WeakKeyDictionary[Any, list[tuple[pd.Index, np.ndarray]]] = WeakKeyDictionary()


def _ordinal(encoder: Any, categories: pd.DataFrame) -> np.ndarray:
    """``encoder.transform(categories)`` for a fitted ``OrdinalEncoder``, by table look-up.

    The encoder maps each known category to a code (infrequent ones to a shared code) and
    any other value to ``unknown_value``. The tables are its own transform of its known
    categories, made once per encoder; a look-up then costs ≈ 0.1 ms where the transform's
    input checks cost ≈ 1 ms per fold.
    """
    tables = _CODES.get(encoder)
    if tables is None:
        known = encoder.categories_
        size = max(len(values) for values in known)
        padded = pd.DataFrame(
            {name: np.resize(values, size) for name, values in zip(encoder.feature_names_in_,
                                                                   known, strict=True)}
        )  # fmt: skip
        coded = encoder.transform(padded)
        tables = [(pd.Index(values), coded[: len(values), j]) for j, values in enumerate(known)]
        _CODES[encoder] = tables
    out = np.empty(categories.shape, dtype=float)
    for j, (index, codes) in enumerate(tables):
        at = index.get_indexer(pd.Index(categories.iloc[:, j]))
        out[:, j] = np.where(at >= 0, codes[at], encoder.unknown_value)
    return out


@cache
def _controller() -> ThreadpoolController:
    """The thread pools of the loaded libraries, inspected once (≈ 3 ms per inspection)."""
    return ThreadpoolController()


def _single_thread() -> Any:
    """A context limiting the loaded OpenMP/BLAS pools to one thread."""
    return _controller().limit(limits=1)


def _fallback(ctx: ToolContext, base: dict[str, Any], stage: str, closed: int) -> WinProbability:
    rate = stage_win_rates(ctx).get(stage)
    p = rate.rate if rate else float(stages_frame(ctx)["probability"].get(stage, 0.0))
    evidence = (
        f"{rate.won_deals} of {rate.closed_deals} closed deals that reached {stage} were won"
        if rate else f"no closed deal reached {stage}"
    )  # fmt: skip
    return WinProbability(
        **base, probability=round(p, 4), model_used="fallback", model_family=None,
        calibration_note=(
            f"Only {closed} closed deals (a model needs {MIN_CLOSED}, {MIN_CLASS} of each "
            f"outcome): using the {stage} stage's win rate, {evidence}, smoothed toward the "
            "configured probability with 2 pseudo-deals (Beta prior)."
        ),
        factors_up=[], factors_down=[], closed_deals_used=closed, holdout_brier=None,
        holdout_auc=None,
    )  # fmt: skip


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
