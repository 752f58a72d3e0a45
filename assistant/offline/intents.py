"""Which tool answers a question: keyword rules, then nearest neighbour over example phrasings.

The examples (``examples.yaml``) are written with placeholders for entities; questions
are read with their entities masked the same way (:mod:`assistant.offline.entities`).
Both are embedded with a TF-IDF model over word 1-2-grams and character 2-5-grams
(scikit-learn; Salton & Buckley 1988, "Term-weighting approaches in automatic text
retrieval", Inf. Process. Manage. 24(5)) and the question takes the intent of its most
similar examples (cosine similarity). The confidence is that similarity; below
:data:`MIN_CONFIDENCE` the planner does not guess. Keyword rules go first where a word
settles the intent ("duplicates", "power map", "subsidiaries"). The model is fitted
once per process, on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from assistant.offline.spelling import fix_typos

MIN_CONFIDENCE = 0.42
"""Lowest similarity to an example at which the planner answers instead of asking."""

PLACEHOLDERS = {
    "{account}": "accountname", "{deal}": "dealname", "{rep}": "repname", "{team}": "teamname",
    "{product}": "productname", "{contact}": "contactname", "{period}": "period",
    "{segment}": "segmentname", "{note}": "noteid", "{n}": "num",
}  # fmt: skip
RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), intent)
    for pattern, intent in (
        (r"\bduplicat|\bdupes?\b|double entr", "duplicate_accounts"),
        (r"power map|buying committee|who (decides|signs)|decision maker|stakeholder", "power_map"),
        (
            r"subsidiar|parent company|corporate group|group structure|customer tree",
            "customer_tree",
        ),
        (r"\bbg ?nbd\b|gamma gamma|clv model|model fit", "clv_model_fit"),
        (r"\bnoteid\b", "extract_note"),
        (r"\bforecast\b(?! call)", "forecast"),
        (
            r"\b(churn rate|retention|nps|csat|cac|repurchase|average order value)\b",
            "value_metrics",
        ),
        (r"\bstalled\b|\bstuck\b|gone quiet", "stalled_deals"),
        (
            r"\bhow (is|are|s) (my |our |the )?"
            r"(team teamname|teamname|team|reps|sales reps|sales team) (doing|performing|going)",
            "rep_performance",
        ),
        (r"\brfm\b(?!.*(segment|distribution|breakdown|split))", "account_rfm"),
    )
)


@dataclass(frozen=True)
class IntentGuess:
    """The intent read from a question, how sure, and the runner-up."""

    intent: str
    confidence: float
    runner_up: str | None
    by_rule: bool


def normalise(masked: str) -> str:
    """The text form both examples and questions are embedded in."""
    return re.sub(r"\d+", "num", masked.lower())


@cache
def examples() -> tuple[tuple[str, str], ...]:
    """Every (intent, example text) pair, placeholders replaced by their mask words."""
    import yaml

    raw = resources.files("assistant.offline").joinpath("examples.yaml").read_text("utf-8")
    data: dict[str, list[str]] = yaml.safe_load(raw)
    pairs = []
    for intent, texts in data.items():
        for text in texts:
            for placeholder, word in PLACEHOLDERS.items():
                text = text.replace(placeholder, word)
            pairs.append((intent, normalise(text)))
    return tuple(pairs)


@cache
def _model() -> tuple[Any, Any, np.ndarray]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    pairs = examples()
    union = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]
    )
    matrix = union.fit_transform([text for _, text in pairs])
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
    labels = np.array([intent for intent, _ in pairs])
    return union, matrix.multiply(1 / norms[:, None]).tocsr(), labels


@cache
def known_words() -> frozenset[str]:
    """Every word of the example phrasings: what a misspelt intent word is corrected to."""
    return frozenset(word for _, text in examples() for word in text.split())


def classify(masked: str) -> IntentGuess:
    """The intent of a question whose entities are masked (intent-word typos corrected)."""
    text = fix_typos(normalise(masked), known_words())
    for pattern, intent in RULES:
        if pattern.search(text):
            return IntentGuess(intent, 1.0, None, by_rule=True)
    return nearest(text)


def nearest(text: str) -> IntentGuess:
    """The intent of the examples most similar to ``text`` (no rules)."""
    union, matrix, labels = _model()
    vector = union.transform([text])
    norm = float(np.sqrt(vector.multiply(vector).sum())) or 1.0
    sims = np.asarray((matrix @ vector.T).todense()).ravel() / norm
    order = np.argsort(-sims, kind="stable")
    best = labels[order[0]]
    runner_up = next((str(labels[i]) for i in order if labels[i] != best), None)
    return IntentGuess(str(best), float(sims[order[0]]), runner_up, by_rule=False)
