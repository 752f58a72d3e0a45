r"""RFM scoring rules: quintile scores, the 11-segment map and the three sales tiers.

Pure numpy/pandas over a per-account frame (no database); :mod:`tools.rfm` feeds it.

Scores (1-5, higher is better): each dimension is scored on a "goodness" value,
``-recency_days`` (recent = 5), ``frequency`` (frequent = 5) and ``monetary_total``
(high spend = 5), against the population being scored (the caller's scoped accounts).

* Quintile rule: with ``p`` the share of the population whose value is strictly below
  the account's value (``(rank_min - 1) / n``), ``score = 1 + floor(5 * p)``. Equal
  values have the same ``rank_min``, so they always get the same score, whatever the
  row order (the classic ``qcut`` on a row-order rank is not tie-safe).
* Fallback for a heavy minimum: when the lowest value is shared by several accounts
  that make up more than a fifth of them (typically ``frequency = 1``: most customers
  bought once), those accounts get score 1 and the rest are scored by the same rule
  over the remaining levels 2..5; this repeats while the new minimum is heavy (e.g.
  ``frequency = 2`` taking score 2), so the scale is not squeezed into {1, 5}.
* A dimension with a single distinct value carries no information: everyone scores 3.

Segments use R and ``FM = floor((F + M + 1) / 2)`` (the F-M average rounded half up) on
this grid, which is total and disjoint; every segment owns at least one cell
(after the R-vs-FM segment table popularised by Putler's RFM analysis guide)::

    R\FM 1               2                    3                    4                5
    5    New Customers   Potential Loyalists  Potential Loyalists  Champions        Champions
    4    Promising       Potential Loyalists  Loyal Customers      Champions        Champions
    3    About to Sleep  About to Sleep       Need Attention       Loyal Customers  Loyal Customers
    2    Hibernating     Hibernating          At Risk              At Risk          At Risk
    1    Lost            Hibernating          At Risk              Can't Lose Them  Can't Lose Them

Tiers (what sales teams use): ``churn_risk`` when ``R <= churn_max_r``; else
``high_value`` when ``FM >= high_value_min_fm``; else ``potential``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

SegmentName = Literal[
    "Champions",
    "Loyal Customers",
    "Potential Loyalists",
    "New Customers",
    "Promising",
    "Need Attention",
    "About to Sleep",
    "At Risk",
    "Can't Lose Them",
    "Hibernating",
    "Lost",
]
Tier = Literal["high_value", "potential", "churn_risk"]
SEGMENTS: tuple[SegmentName, ...] = get_args(SegmentName)
TIERS: tuple[Tier, ...] = get_args(Tier)
LEVELS = 5

_GRID: dict[int, tuple[SegmentName, ...]] = {
    5: ("New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"),
    4: ("Promising", "Potential Loyalists", "Loyal Customers", "Champions", "Champions"),
    3: ("About to Sleep", "About to Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"),
    2: ("Hibernating", "Hibernating", "At Risk", "At Risk", "At Risk"),
    1: ("Lost", "Hibernating", "At Risk", "Can't Lose Them", "Can't Lose Them"),
}

MEANINGS: dict[str, str] = {
    "Champions": "Bought recently, buy often and spend the most.",
    "Loyal Customers": "Buy regularly and spend well; responsive to offers.",
    "Potential Loyalists": "Recent customers with average frequency and spend.",
    "New Customers": "Bought very recently but only little so far.",
    "Promising": "Recent shoppers who have not spent much yet.",
    "Need Attention": "Average recency, frequency and spend; may slip without contact.",
    "About to Sleep": "Below-average recency and low value; will be lost without action.",
    "At Risk": "Spent good money and bought often, but long ago.",
    "Can't Lose Them": "Were among the biggest and most frequent buyers; gone quiet.",
    "Hibernating": "Last bought long ago, low frequency and spend.",
    "Lost": "Lowest recency, frequency and spend of the population.",
    "high_value": "Recent enough and in the top FM scores: protect and grow.",
    "potential": "Recent enough but below the high-value FM threshold: develop.",
    "churn_risk": "Have not bought for a long time compared with peers: win back.",
}


@dataclass(frozen=True)
class RFMConfig:
    """Tunable RFM settings.

    Attributes:
        window_days: Days of order history ending at ``as_of`` (None = all history).
        churn_max_r: Highest R score that counts as churn risk.
        high_value_min_fm: Lowest FM score of a high-value (non churn-risk) account.
    """

    window_days: int | None = None
    churn_max_r: int = 2
    high_value_min_fm: int = 4


DEFAULT_CONFIG = RFMConfig()


def quintile_scores(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """Score ``values`` 1..5 (higher value = higher score) with the module's tie rule."""
    n = len(values)
    scores = np.zeros(n, dtype=np.int64)
    if n == 0:
        return scores
    if np.unique(values).size == 1:
        return np.full(n, 3, dtype=np.int64)
    remaining = np.ones(n, dtype=bool)
    base, levels = 1, LEVELS
    while levels > 1:
        rest = values[remaining]
        at_min = rest == rest.min()
        if at_min.sum() == 1 or at_min.mean() <= 1 / levels:
            ranks = pd.Series(rest).rank(method="min").to_numpy()
            scores[remaining] = base + np.floor(levels * (ranks - 1) / rest.size).astype(np.int64)
            return scores
        heavy = np.zeros(n, dtype=bool)
        heavy[np.flatnonzero(remaining)[at_min]] = True
        scores[heavy] = base
        remaining &= ~heavy
        base, levels = base + 1, levels - 1
        if not remaining.any():
            return scores
    scores[remaining] = base
    return scores


def fm_scores(f_score: NDArray[np.int64], m_score: NDArray[np.int64]) -> NDArray[np.int64]:
    """The F-M average rounded half up: ``floor((F + M + 1) / 2)``."""
    return (f_score + m_score + 1) // 2


def segments_for(r_score: NDArray[np.int64], fm: NDArray[np.int64]) -> NDArray[np.object_]:
    """Segment names from the R x FM grid (vectorised lookup)."""
    table = np.array([[_GRID[r][c] for c in range(LEVELS)] for r in range(1, LEVELS + 1)])
    return table[r_score - 1, fm - 1].astype(object)


def tiers_for(
    r_score: NDArray[np.int64], fm: NDArray[np.int64], config: RFMConfig = DEFAULT_CONFIG
) -> NDArray[np.object_]:
    """Sales tiers: churn_risk, else high_value, else potential."""
    return np.where(
        r_score <= config.churn_max_r,
        "churn_risk",
        np.where(fm >= config.high_value_min_fm, "high_value", "potential"),
    ).astype(object)


def score_frame(figures: pd.DataFrame, config: RFMConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """Add r/f/m scores, fm, segment and tier to a frame of RFM figures.

    ``figures`` needs ``recency_days``, ``frequency`` and ``monetary_total`` columns.
    """
    out = figures.copy()
    r = quintile_scores(-out["recency_days"].to_numpy(dtype=np.float64))
    f = quintile_scores(out["frequency"].to_numpy(dtype=np.float64))
    m = quintile_scores(out["monetary_total"].to_numpy(dtype=np.float64))
    fm = fm_scores(f, m)
    out["r_score"], out["f_score"], out["m_score"], out["fm_score"] = r, f, m, fm
    out["segment"] = segments_for(r, fm)
    out["tier"] = tiers_for(r, fm, config)
    return out
