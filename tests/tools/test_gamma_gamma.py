"""Gamma-Gamma spend model: published CDNOW values, hand-computed expectations, recovery."""

from __future__ import annotations

import numpy as np
import pytest

from tests.tools.builders_clv import cdnow_summary
from tools import gamma_gamma
from tools.gamma_gamma import GammaGammaParams


@pytest.fixture(scope="module")
def repeat_buyers() -> tuple[np.ndarray, np.ndarray]:
    data = cdnow_summary()
    repeat = data[data["frequency"] > 0]
    return repeat["frequency"].to_numpy(dtype=float), repeat["monetary_value"].to_numpy()


def test_gamma_gamma_matches_fader_hardie_lee_2005_jmr_cdnow(
    repeat_buyers: tuple[np.ndarray, np.ndarray],
) -> None:
    fitted = gamma_gamma.fit(*repeat_buyers)
    assert fitted.n_customers == 946
    assert fitted.params.p == pytest.approx(6.25, abs=0.01)
    assert fitted.params.q == pytest.approx(3.74, abs=0.01)
    assert fitted.params.gamma == pytest.approx(15.44, abs=0.01)


def test_expected_spend_is_the_credibility_weighted_mean() -> None:
    params = GammaGammaParams(p=6.0, q=4.0, gamma=15.0)
    # (γ + m x) p / (p x + q − 1) = (15 + 2·20)·6 / (12 + 3) = 22; x = 0 → pγ/(q−1) = 30.
    spend = gamma_gamma.expected_spend(params, np.array([2.0, 0.0]), np.array([20.0, 0.0]))
    np.testing.assert_allclose(spend, [22.0, 30.0])
    assert params.population_mean == pytest.approx(30.0)


def test_analytic_gradient_matches_finite_differences(
    repeat_buyers: tuple[np.ndarray, np.ndarray],
) -> None:
    log_params = np.log([5.0, 3.0, 10.0])
    _, grad = gamma_gamma._terms(log_params, *repeat_buyers)
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6
        plus = gamma_gamma._terms(log_params + step, *repeat_buyers)[0].sum()
        minus = gamma_gamma._terms(log_params - step, *repeat_buyers)[0].sum()
        assert grad[i].sum() == pytest.approx((plus - minus) / 2e-6, rel=1e-5)


def test_seeded_simulation_recovers_known_parameters() -> None:
    truth = GammaGammaParams(p=4.0, q=5.0, gamma=30.0)
    rng = np.random.default_rng(11)
    x = rng.integers(1, 12, size=8000).astype(float)
    nu = rng.gamma(truth.q, 1.0 / truth.gamma, size=x.size)
    # The mean of x Gamma(p, rate ν) values is Gamma(p·x, rate ν·x).
    m = rng.gamma(truth.p * x, 1.0 / (nu * x))
    fitted = gamma_gamma.fit(x, m).params
    assert fitted.p == pytest.approx(truth.p, rel=0.1)
    assert fitted.q == pytest.approx(truth.q, rel=0.15)
    assert fitted.gamma == pytest.approx(truth.gamma, rel=0.2)


def test_zero_spend_is_rejected_before_it_reaches_a_logarithm() -> None:
    with pytest.raises(ValueError, match="positive mean spend"):
        gamma_gamma.fit(np.array([1.0, 2.0]), np.array([10.0, 0.0]))
