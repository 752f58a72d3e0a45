"""The packed stage-history read: parsing the per-deal strings and ordering the visits."""

from __future__ import annotations

import numpy as np
import pytest

from tools.pipeline_data import _unpack, _visit_order


def test_unpack_reads_every_integer_and_counts_them_per_deal() -> None:
    packed = np.array(["30,-7,12", None, "5", np.nan, "-1,2"], dtype=object)
    codes, counts = _unpack(packed)
    assert codes.tolist() == [30, -7, 12, 5, -1, 2]
    assert counts.tolist() == [3, 0, 1, 0, 2]


def test_unpack_of_deals_without_history_is_empty() -> None:
    codes, counts = _unpack(np.array([None, None], dtype=object))
    assert codes.tolist() == []
    assert counts.tolist() == [0, 0]


def test_unpack_refuses_text_that_is_not_integers() -> None:
    # numpy stops at the "x" (a ValueError under the tests' warnings-as-errors; elsewhere
    # a warning, then the count check raises "unreadable stage history")
    with pytest.raises(ValueError):
        _unpack(np.array(["4,x,6"], dtype=object))


def test_visit_order_sorts_by_deal_then_code() -> None:
    rng = np.random.default_rng(3)
    deal = np.repeat(np.arange(50), rng.integers(0, 6, size=50))
    codes = rng.integers(-(10**12), 10**13, size=len(deal))
    order = _visit_order(deal, codes)
    assert order.tolist() == np.lexsort((codes, deal)).tolist()


def test_visit_order_falls_back_to_lexsort_when_the_key_would_overflow() -> None:
    deal = np.array([1, 1, 0, 0, 1])
    codes = np.array([2**62, -(2**62), 5, -5, 0])  # span × deals does not fit in 63 bits
    assert _visit_order(deal, codes).tolist() == [3, 2, 1, 4, 0]


def test_visit_order_of_no_visits_is_empty() -> None:
    empty = np.array([], dtype=np.int64)
    assert _visit_order(empty, empty).tolist() == []
