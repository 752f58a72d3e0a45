"""Predicted lead conversion: a calibrated logistic regression over past leads' outcomes.

Training set: leads created before ``cutoff`` whose outcome is known (``converted`` = 1,
``disqualified`` = 0). Features: industry, size band, country and source (one-hot; values
seen fewer than 3 times pooled) and ``log1p`` of the four engagement counters
(standardised). The classifier is an L2 logistic regression whose scores are calibrated
by Platt scaling (Platt 1999, "Probabilistic outputs for support vector machines",
eq. 1: ``p = 1 / (1 + exp(A f + B))``) fitted on 3-fold out-of-fold scores
(scikit-learn ``CalibratedClassifierCV(method="sigmoid", ensemble=False)``).

Factors: for a linear model, feature ``j`` moves a lead's log-odds by
``β_j (x_j − x̄_j)`` against the average training lead; the largest moves, in words, are
the lead's top factors.

Small data: with fewer than :data:`MIN_LABELLED` labelled leads or fewer than
:data:`MIN_PER_CLASS` of either outcome no model is trained; every lead gets the
Laplace-smoothed base rate ``(converted + 1) / (labelled + 2)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

MIN_LABELLED = 40
MIN_PER_CLASS = 10
CATEGORICAL = ("industry", "size_band", "country", "source")
COUNTERS = ("email_opens", "page_views", "form_submissions", "events_attended")
COUNTER_WORDS = {
    "email_opens": "email opens",
    "page_views": "page views",
    "form_submissions": "form submissions",
    "events_attended": "events attended",
}


def features(leads: pd.DataFrame) -> pd.DataFrame:
    """The model's input columns: categoricals as text (``unknown`` when empty), counters."""
    frame = pd.DataFrame(index=leads.index)
    for column in CATEGORICAL:
        frame[column] = leads[column].fillna("unknown").astype(str)
    for column in COUNTERS:
        frame[column] = np.log1p(leads[column].astype(float))
    return frame


@dataclass(frozen=True)
class ConversionModel:
    """A fitted conversion model, or the base-rate fallback (``estimator`` is None)."""

    estimator: Any
    base_rate: float
    n_labelled: int
    n_converted: int
    centre: np.ndarray | None = None

    @property
    def method(self) -> str:
        """``logistic_regression`` or ``base_rate``."""
        return "base_rate" if self.estimator is None else "logistic_regression"

    def probabilities(self, leads: pd.DataFrame) -> np.ndarray:
        """Calibrated P(conversion) per lead."""
        if self.estimator is None:
            return np.full(len(leads), self.base_rate)
        return np.asarray(self.estimator.predict_proba(features(leads))[:, 1])

    def factors(self, leads: pd.DataFrame, top: int = 3) -> list[list[str]]:
        """The ``top`` features that move each lead's odds most, in words."""
        if self.estimator is None:
            reason = (
                f"only {self.n_labelled} past leads with a known outcome "
                f"({self.n_converted} converted): base rate used"
            )
            return [[reason] for _ in range(len(leads))]
        pipeline = self.estimator.calibrated_classifiers_[0].estimator
        prep, logit = pipeline.named_steps["prep"], pipeline.named_steps["logit"]
        x = _dense(prep.transform(features(leads)))
        moves = (x - self.centre) * logit.coef_[0]
        names = prep.get_feature_names_out()
        order = np.argsort(-np.abs(moves), axis=1)[:, :top]
        return [
            [_words(names[j], moves[i, j], leads.iloc[i]) for j in row if moves[i, j] != 0]
            for i, row in enumerate(order)
        ]


def _dense(x: Any) -> np.ndarray:
    return np.asarray(x.toarray() if hasattr(x, "toarray") else x, dtype=float)


def _words(name: str, move: float, lead: pd.Series) -> str:
    direction = "raises" if move > 0 else "lowers"
    kind, _, rest = name.partition("__")
    if kind == "num":
        return f"{int(lead[rest])} {COUNTER_WORDS[rest]} {direction} the odds"
    column = next(c for c in CATEGORICAL if rest.startswith(c + "_"))
    value = rest[len(column) + 1 :]
    label = column.replace("_", " ")
    if value == "infrequent_sklearn":
        return f"a rare {label} {direction} the odds"
    if str(lead[column] or "unknown") == value:
        return f"{label} {value} {direction} the odds"
    return f"{label} not {value} {direction} the odds"


def fit_conversion_model(labelled: pd.DataFrame, converted: pd.Series) -> ConversionModel:
    """Fit on ``labelled`` leads (``converted`` boolean per lead), or fall back to base rate."""
    n, k = len(labelled), int(converted.sum())
    base_rate = (k + 1) / (n + 2)
    if n < MIN_LABELLED or min(k, n - k) < MIN_PER_CLASS:
        return ConversionModel(None, base_rate, n, k)
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    prep = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=3),
             list(CATEGORICAL)),
            ("num", StandardScaler(), list(COUNTERS)),
        ]
    )  # fmt: skip
    pipeline = Pipeline([("prep", prep), ("logit", LogisticRegression(C=1.0, max_iter=1000))])
    model = CalibratedClassifierCV(pipeline, method="sigmoid", cv=3, ensemble=False)
    x = features(labelled)
    model.fit(x, converted.astype(int).to_numpy())
    fitted = model.calibrated_classifiers_[0].estimator
    centre = _dense(fitted.named_steps["prep"].transform(x)).mean(axis=0)
    return ConversionModel(model, base_rate, n, k, centre)
