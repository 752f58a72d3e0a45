from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from tools.rfm_rules import (
    SEGMENTS,
    TIERS,
    RFMConfig,
    quintile_scores,
    score_frame,
    segments_for,
    tiers_for,
)
from tools.rfm_segments import segment_shares


def scores(values: list[float]) -> list[int]:
    return [int(s) for s in quintile_scores(np.array(values, dtype=np.float64))]


def test_ten_distinct_values_fill_the_quintiles_two_by_two() -> None:
    # p = (rank - 1) / 10 = 0, .1, ..., .9 -> 1 + floor(5p)
    assert scores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_equal_values_get_equal_scores() -> None:
    # n = 6, p = (rank_min - 1) / 6: 10 -> 0, each 20 -> 1/6, 30 -> 4/6, 40 -> 5/6
    assert scores([10, 20, 20, 20, 30, 40]) == [1, 1, 1, 1, 4, 5]


def test_most_customers_buying_once_score_one_and_the_rest_spread_over_two_to_five() -> None:
    # six ones (60 % > 20 %) -> 1; the rest [2,3,4,5] over four levels: p = 0,.25,.5,.75
    assert scores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5]) == [1, 1, 1, 1, 1, 1, 2, 3, 4, 5]


def test_the_heavy_minimum_fallback_repeats_on_the_rest() -> None:
    # ones -> 1; among [2,2,2,3] the twos hold 75 % > 25 % -> 2; the three is alone -> 3
    assert scores([1, 1, 1, 1, 1, 1, 2, 2, 2, 3]) == [1, 1, 1, 1, 1, 1, 2, 2, 2, 3]


def test_a_dimension_without_variation_scores_three_for_everyone() -> None:
    assert scores([7, 7, 7]) == [3, 3, 3]
    assert scores([]) == []


def test_recent_frequent_and_big_spenders_score_five() -> None:
    figures = pd.DataFrame(
        {
            "recency_days": [1, 10, 20, 30, 40],
            "frequency": [9, 4, 3, 2, 1],
            "monetary_total": [900.0, 400.0, 300.0, 200.0, 100.0],
        },
        index=["A", "B", "C", "D", "E"],
    )
    scored = score_frame(figures)
    assert list(scored["r_score"]) == [5, 4, 3, 2, 1]
    assert list(scored["f_score"]) == [5, 4, 3, 2, 1]
    assert list(scored["segment"]) == [
        "Champions",
        "Champions",
        "Need Attention",
        "Hibernating",
        "Lost",
    ]
    assert list(scored["tier"]) == [
        "high_value",
        "high_value",
        "potential",
        "churn_risk",
        "churn_risk",
    ]


def test_every_cell_of_the_grid_has_a_segment_and_every_segment_a_cell() -> None:
    r, fm = np.meshgrid(np.arange(1, 6), np.arange(1, 6))
    names = segments_for(r.ravel(), fm.ravel())
    assert set(names) == set(SEGMENTS)
    assert segments_for(np.array([5, 1, 1, 4]), np.array([5, 5, 1, 1])).tolist() == [
        "Champions",
        "Can't Lose Them",
        "Lost",
        "Promising",
    ]


def test_tier_thresholds_are_configurable() -> None:
    r, fm = np.array([2, 3, 3]), np.array([5, 4, 3])
    assert tiers_for(r, fm).tolist() == ["churn_risk", "high_value", "potential"]
    strict = RFMConfig(churn_max_r=1, high_value_min_fm=5)
    assert tiers_for(r, fm, strict).tolist() == ["high_value", "potential", "potential"]


values = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=60)


@given(values)
def test_scores_are_between_one_and_five(xs: list[int]) -> None:
    assert all(1 <= s <= 5 for s in scores([float(x) for x in xs]))


@given(values, st.randoms(use_true_random=False))
def test_scores_do_not_depend_on_row_order(xs: list[int], rnd: object) -> None:
    shuffled = list(xs)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    by_value = dict(zip(xs, scores([float(x) for x in xs]), strict=True))
    again = dict(zip(shuffled, scores([float(x) for x in shuffled]), strict=True))
    assert by_value == again


@given(values)
def test_higher_values_never_score_lower(xs: list[int]) -> None:
    pairs = sorted(zip(xs, scores([float(x) for x in xs]), strict=True))
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(pairs))


@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.integers(1, 12), st.floats(0.01, 1e6, allow_nan=False)),
        min_size=1,
        max_size=40,
    )
)
def test_segment_and_tier_shares_sum_to_one(rows: list[tuple[int, int, float]]) -> None:
    figures = pd.DataFrame(rows, columns=["recency_days", "frequency", "monetary_total"])
    scored = score_frame(figures)
    for column, names in (("segment", SEGMENTS), ("tier", TIERS)):
        shares = segment_shares(scored, column, names)
        assert abs(sum(s.share for s in shares) - 1) < 1e-9
        assert abs(sum(s.revenue_share or 0 for s in shares) - 1) < 1e-9
        assert sum(s.accounts for s in shares) == len(rows)
