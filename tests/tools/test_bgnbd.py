"""BG/NBD: published CDNOW results, invariants, unit handling and seeded recovery."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tools.builders_clv import cdnow_summary
from tools import bgnbd
from tools.bgnbd import BGNBDParams
from tools.errors import FitFailed

# Fader, Hardie & Lee (2005), Marketing Science 24(2), CDNOW calibration, weeks.
PUBLISHED = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
CUSTOMER_1 = (np.array([2.0]), np.array([30.43]), np.array([38.86]))


@pytest.fixture(scope="module")
def cdnow() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = cdnow_summary()
    return (
        data["frequency"].to_numpy(dtype=float),
        data["recency"].to_numpy(),
        data["T"].to_numpy(),
    )


@pytest.fixture(scope="module")
def cdnow_fit(cdnow: tuple[np.ndarray, np.ndarray, np.ndarray]) -> bgnbd.BGNBDFit:
    return bgnbd.fit(*cdnow)


def test_bgnbd_matches_fader_hardie_lee_2005_cdnow_parameters(cdnow_fit: bgnbd.BGNBDFit) -> None:
    fitted = cdnow_fit.params
    assert fitted.r == pytest.approx(0.243, abs=5e-4)
    assert fitted.alpha == pytest.approx(4.414, abs=5e-3)
    assert fitted.a == pytest.approx(0.793, abs=5e-4)
    assert fitted.b == pytest.approx(2.426, abs=5e-3)
    assert cdnow_fit.n_customers == 2357


def test_bgnbd_matches_fader_hardie_lee_2005_cdnow_log_likelihood(
    cdnow_fit: bgnbd.BGNBDFit,
) -> None:
    assert cdnow_fit.log_likelihood == pytest.approx(-9582.4, abs=0.05)


def test_customer_1_expects_1_226_purchases_in_39_weeks_per_fhl_2005(
    cdnow_fit: bgnbd.BGNBDFit,
) -> None:
    for params in (PUBLISHED, cdnow_fit.params):
        assert bgnbd.expected_purchases(params, 39, *CUSTOMER_1)[0] == pytest.approx(
            1.226, abs=1e-3
        )


def test_customer_1_is_alive_with_probability_0_7266_per_fhl_2008_note(
    cdnow_fit: bgnbd.BGNBDFit,
) -> None:
    assert bgnbd.p_alive(cdnow_fit.params, *CUSTOMER_1)[0] == pytest.approx(0.7266, abs=1e-4)


def test_one_time_buyers_are_alive_by_definition() -> None:
    assert bgnbd.p_alive(PUBLISHED, np.array([0.0]), np.array([0.0]), np.array([20.0]))[0] == 1


def test_analytic_gradient_matches_finite_differences(
    cdnow: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    log_params = np.log([0.3, 4.0, 0.7, 2.5])
    counts = bgnbd._Counts.of(*cdnow)
    _, grad = bgnbd._objective(log_params, counts)
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6
        plus = bgnbd._objective(log_params + step, counts)[0]
        minus = bgnbd._objective(log_params - step, counts)[0]
        assert grad[i] == pytest.approx((plus - minus) / 2e-6, rel=1e-5)


def test_fitting_in_days_and_weeks_gives_the_same_predictions(
    cdnow: tuple[np.ndarray, np.ndarray, np.ndarray], cdnow_fit: bgnbd.BGNBDFit
) -> None:
    x, t_x, T = cdnow
    in_days = bgnbd.fit(x, t_x * 7, T * 7)
    assert in_days.params.r == pytest.approx(cdnow_fit.params.r, rel=1e-4)
    assert in_days.params.alpha == pytest.approx(7 * cdnow_fit.params.alpha, rel=1e-4)
    # The likelihood is a density in time: changing the unit shifts it by Σx·ln 7.
    assert in_days.log_likelihood == pytest.approx(
        cdnow_fit.log_likelihood - x.sum() * np.log(7), abs=1e-3
    )
    weeks = bgnbd.expected_purchases(cdnow_fit.params, 52, x, t_x, T)
    days = bgnbd.expected_purchases(in_days.params, 52 * 7, x, t_x * 7, T * 7)
    np.testing.assert_allclose(days, weeks, rtol=1e-4)
    converted = cdnow_fit.params.in_unit(7)
    np.testing.assert_allclose(bgnbd.expected_purchases(converted, 364, x, t_x * 7, T * 7), weeks)


def test_seeded_simulation_recovers_known_parameters() -> None:
    truth = BGNBDParams(r=0.5, alpha=6.0, a=0.9, b=3.0)
    rng = np.random.default_rng(7)
    T = rng.uniform(20, 80, size=20_000)
    x, t_x = bgnbd.simulate(truth, T, rng)
    fitted = bgnbd.fit(x, t_x, T).params
    assert fitted.r == pytest.approx(truth.r, rel=0.1)
    assert fitted.alpha == pytest.approx(truth.alpha, rel=0.1)
    assert fitted.a == pytest.approx(truth.a, rel=0.2)
    assert fitted.b == pytest.approx(truth.b, rel=0.2)


def test_discounting_at_zero_equals_expected_purchases_and_lowers_value_otherwise(
    cdnow: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    x, t_x, T = cdnow
    common = {"horizon": 52.0, "units_per_year": 52.0, "steps": 12}
    flat = bgnbd.discounted_expected_purchases(PUBLISHED, x, t_x, T, annual_rate=0.0, **common)
    np.testing.assert_allclose(flat, bgnbd.expected_purchases(PUBLISHED, 52, x, t_x, T))
    discounted = bgnbd.discounted_expected_purchases(
        PUBLISHED, x, t_x, T, annual_rate=0.1, **common
    )
    assert np.all(discounted < flat)
    assert np.all(discounted > flat / 1.1)


def test_nobody_repeating_cannot_be_fitted_and_says_what_to_do() -> None:
    T = np.linspace(5, 40, 50)
    with pytest.raises(FitFailed, match="formula CLV"):
        bgnbd.fit(np.zeros(50), np.zeros(50), T)


def test_an_impossible_summary_is_rejected() -> None:
    with pytest.raises(ValueError, match="invalid"):
        bgnbd.p_alive(PUBLISHED, np.array([1.0]), np.array([12.0]), np.array([10.0]))


customers = st.tuples(
    st.integers(0, 60),
    st.floats(0.0, 1.0),
    st.floats(0.1, 400.0),
)
params = st.builds(
    BGNBDParams,
    r=st.floats(0.05, 5.0),
    alpha=st.floats(0.5, 50.0),
    a=st.floats(0.1, 5.0).filter(lambda a: abs(a - 1) > 1e-3),
    b=st.floats(0.1, 10.0),
)


def _arrays(x: int, share: float, T: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.array([float(x)]), np.array([share * T if x else 0.0]), np.array([T])


@settings(max_examples=150, deadline=None)
@given(params, customers)
def test_p_alive_is_a_probability(p: BGNBDParams, customer: tuple[int, float, float]) -> None:
    alive = bgnbd.p_alive(p, *_arrays(*customer))[0]
    assert 0.0 <= alive <= 1.0


@settings(max_examples=150, deadline=None)
@given(params, customers, st.floats(1.0, 100.0), st.floats(1.0, 100.0))
def test_expected_purchases_grow_with_the_horizon(
    p: BGNBDParams, customer: tuple[int, float, float], t: float, extra: float
) -> None:
    shorter = bgnbd.expected_purchases(p, t, *_arrays(*customer))[0]
    longer = bgnbd.expected_purchases(p, t + extra, *_arrays(*customer))[0]
    assert 0.0 <= shorter <= longer * (1 + 1e-9) + 1e-12


@settings(max_examples=150, deadline=None)
@given(params, st.integers(1, 40), st.floats(1.0, 200.0))
def test_a_customer_who_just_bought_expects_more_the_more_they_bought(
    p: BGNBDParams, x: int, T: float
) -> None:
    # Monotone in frequency when the last purchase is recent (t_x = T).
    fewer = bgnbd.expected_purchases(p, 10.0, np.array([x]), np.array([T]), np.array([T]))[0]
    more = bgnbd.expected_purchases(p, 10.0, np.array([x + 1]), np.array([T]), np.array([T]))[0]
    assert more >= fewer * (1 - 1e-9)


@settings(max_examples=150, deadline=None)
@given(params, st.integers(1, 40), st.floats(0.0, 0.99), st.floats(1.0, 200.0))
def test_a_more_recent_last_purchase_means_more_likely_alive(
    p: BGNBDParams, x: int, share: float, T: float
) -> None:
    older = bgnbd.p_alive(p, np.array([x]), np.array([share * T]), np.array([T]))[0]
    newer = bgnbd.p_alive(p, np.array([x]), np.array([T]), np.array([T]))[0]
    assert newer >= older


def test_a_base_where_nobody_ever_drops_out_is_reported_as_divergence() -> None:
    # Everyone bought at the very end (t_x = T): the likelihood grows as dropout → 0.
    rng = np.random.default_rng(0)
    T = rng.uniform(5, 40, 400)
    x = rng.poisson(0.3 * T).astype(float) + 1
    with pytest.raises(FitFailed, match="diverged"):
        bgnbd.fit(x, T.copy(), T)
