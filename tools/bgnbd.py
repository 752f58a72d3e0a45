"""The BG/NBD model of repeat purchasing (who is still a customer, and how much they will buy).

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "'Counting Your Customers' the
Easy Way: An Alternative to the Pareto/NBD Model." Marketing Science 24(2), 275-284.

While alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after
each repeat purchase they drop out with probability p ~ Beta(a, b). Names map to the
paper's: ``x`` = frequency (repeat purchases, i.e. purchase days after the first),
``t_x`` = recency (time of the last purchase, measured from the first), ``T`` = age
(time from the first purchase to the end of observation). Times are in one unit
(days or weeks): r, a, b do not depend on it, α scales with it (α in days = 7 × α in
weeks), so horizons must be given in the unit the model was fitted in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import digamma, expit, gammaln, hyp2f1

from tools.errors import FitFailed
from tools.mle import FloatArray, maximise

IntArray = npt.NDArray[np.intp]

ADVICE = (
    "the purchase history may be too short or too uniform to separate purchase rate from "
    "dropout; wait for more history, or use the formula CLV (average annual spend × "
    "expected lifetime × margin) meanwhile"
)


@dataclass(frozen=True)
class BGNBDParams:
    """Population parameters: λ ~ Gamma(r, α) (α in the fitting unit), p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def in_unit(self, units_per_old_unit: float) -> BGNBDParams:
        """The same model with time measured in a unit ``units_per_old_unit`` times finer."""
        return BGNBDParams(self.r, self.alpha * units_per_old_unit, self.a, self.b)


@dataclass(frozen=True)
class BGNBDFit:
    """A maximum-likelihood fit: parameters, total log-likelihood, customers, iterations."""

    params: BGNBDParams
    log_likelihood: float
    n_customers: int
    iterations: int


@dataclass(frozen=True)
class _Counts:
    """The data grouped for the likelihood.

    ``ux``/``wx``: distinct x and their counts (the special functions depend on x only);
    ``T0``/``w0``: distinct T of the one-time buyers (their term depends on T only);
    repeat buyers as distinct (x, t_x, T) rows with counts ``w1``, indexing the distinct
    x (``ix``), T (``uT``, ``iT``) and t_x (``utx``, ``itx``) so that logarithms are
    taken once per distinct value.
    """

    ux: FloatArray
    wx: FloatArray
    T0: FloatArray
    w0: FloatArray
    x1: FloatArray
    w1: FloatArray
    ix: IntArray
    uT: FloatArray
    iT: IntArray
    utx: FloatArray
    itx: IntArray

    @classmethod
    def of(cls, x: FloatArray, t_x: FloatArray, T: FloatArray) -> _Counts:
        """Group the customers (vectorised: one value count and three factorisations)."""
        ux, wx = np.unique(x, return_counts=True)
        T0, w0 = np.unique(T[x == 0], return_counts=True)
        rows = pd.DataFrame({"x": x, "t_x": t_x, "T": T})[x > 0].value_counts(sort=False)
        keys = rows.index.to_frame().to_numpy(dtype=np.float64)
        ix = np.searchsorted(ux, keys[:, 0])
        uT, iT = np.unique(keys[:, 2], return_inverse=True)
        utx, itx = np.unique(keys[:, 1], return_inverse=True)
        w1 = np.asarray(rows.to_numpy(), dtype=np.float64)
        f = np.float64
        return cls(ux, wx.astype(f), T0, w0.astype(f), keys[:, 0], w1, ix, uT, iT, utx, itx)


def _objective(log_params: FloatArray, c: _Counts) -> tuple[float, FloatArray]:
    """Total log-likelihood and its gradient in the log-parameters.

    Log form of eq. (6) as in the paper's Section 7::

        ln L = A1 + A2 + ln(exp(A3) + δ(x>0) exp(A4))
        A1 = lnΓ(r+x) − lnΓ(r) + r ln α
        A2 = lnΓ(a+b) + lnΓ(b+x) − lnΓ(b) − lnΓ(a+b+x)
        A3 = −(r+x) ln(α+T)
        A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x)

    For x > 0, ln(e^A3 + e^A4) = A3 + softplus(d) with d = A4 − A3; with the weight
    w = δ(x>0)·sigmoid(d) of the dropped-out branch the partial derivatives are
    ∂r = ψ(r+x) − ψ(r) + ln α − (1−w) ln(α+T) − w ln(α+t_x),
    ∂α = r/α − (r+x)[(1−w)/(α+T) + w/(α+t_x)],
    ∂a = ψ(a+b) − ψ(a+b+x) + w/a,
    ∂b = ψ(a+b) + ψ(b+x) − ψ(b) − ψ(a+b+x) − w/(b+x−1);
    the chain rule multiplies each by its parameter.
    """
    r, alpha, a, b = np.exp(log_params)
    ux, wx, w0, w1 = c.ux, c.wx, c.w0, c.w1
    n = wx.sum()
    a12 = gammaln(r + ux) + gammaln(b + ux) - gammaln(a + b + ux)
    ll = _dot(wx, a12) + n * (r * np.log(alpha) - gammaln(r) + gammaln(a + b) - gammaln(b))
    log_T0 = np.log(alpha + c.T0)
    ll -= r * _dot(w0, log_T0)
    log_T, log_tx = np.log(alpha + c.uT)[c.iT], np.log(alpha + c.utx)[c.itx]
    inv_bx1 = (1.0 / (b + np.maximum(ux, 1.0) - 1.0))[c.ix]
    rx = r + c.x1
    d = np.log(a) + np.log(inv_bx1) + rx * (log_T - log_tx)
    p4 = expit(d)
    ll += _dot(w1, np.logaddexp(0.0, d) - rx * log_T)
    psi_abx = _dot(wx, digamma(a + b + ux))
    d_r = _dot(wx, digamma(r + ux)) + n * (np.log(alpha) - digamma(r))
    d_r -= _dot(w0, log_T0) + _dot(w1, log_T - p4 * (log_T - log_tx))
    inv_T, inv_tx = (1.0 / (alpha + c.uT))[c.iT], (1.0 / (alpha + c.utx))[c.itx]
    d_alpha = n * r / alpha - r * _dot(w0, 1.0 / (alpha + c.T0))
    d_alpha -= _dot(w1, rx * (inv_T + p4 * (inv_tx - inv_T)))
    d_a = n * digamma(a + b) - psi_abx + _dot(w1, p4) / a
    d_b = n * (digamma(a + b) - digamma(b)) + _dot(wx, digamma(b + ux)) - psi_abx
    d_b -= _dot(w1, p4 * inv_bx1)
    return ll, np.array([r * d_r, alpha * d_alpha, a * d_a, b * d_b])


def _dot(weights: FloatArray, values: FloatArray) -> float:
    """Weighted sum by plain reduction (BLAS dot threads stall on a busy machine)."""
    return float(np.add.reduce(weights * values))


def log_likelihood(params: BGNBDParams, x: FloatArray, t_x: FloatArray, T: FloatArray) -> float:
    """Total log-likelihood of the customers (eq. 6 of the paper, summed)."""
    log_params = np.log([params.r, params.alpha, params.a, params.b])
    return _objective(log_params, _Counts.of(*_as_arrays(x, t_x, T)))[0]


def fit(x: FloatArray, t_x: FloatArray, T: FloatArray) -> BGNBDFit:
    """Fit r, α, a, b by maximum likelihood (eq. 6) with analytic gradients.

    Identical (x, t_x, T) rows are merged and weighted, and time is rescaled so that
    max T = 10 while optimising (α is scaled back); neither changes the optimum.
    Raises :class:`tools.errors.FitFailed` when the optimiser does not converge.
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    if not np.any(x > 0) or not np.any(T > 0):
        raise FitFailed(f"BG/NBD needs customers who bought more than once; {ADVICE}")
    scale = 10.0 / float(T.max())
    counts = _Counts.of(x, t_x * scale, T * scale)
    n = float(len(x))

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        ll, grad = _objective(log_params, counts)
        return -ll / n, -grad / n

    found = maximise(objective, np.zeros(4), model="BG/NBD", advice=ADVICE)
    r, alpha_scaled, a, b = np.exp(found.log_params)
    params = BGNBDParams(float(r), float(alpha_scaled / scale), float(a), float(b))
    # Back to the original unit: ln L shifts by Σx·ln(scale) (the density of x event times).
    ll = found.mean_log_likelihood * n + float(x.sum()) * np.log(scale)
    return BGNBDFit(params, float(ll), len(x), found.iterations)


def p_alive(params: BGNBDParams, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
    """P(still alive at T | x, t_x, T).

    Fader, Hardie & Lee (2008), "Computing P(alive) using the BG/NBD model"::

        P(alive) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))

    evaluated as a logistic of the log-odds, so it never overflows.
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    bx1 = b + np.maximum(x, 1.0) - 1.0
    log_odds_dead = np.log(a) - np.log(bx1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(x > 0, expit(-log_odds_dead), 1.0)


def expected_purchases(
    params: BGNBDParams, t: float, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Expected purchases in (T, T + t] given x, t_x, T: eq. (10) of the paper.

    E[Y(t)] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ·
    ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive), with t in the fitting unit.
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    if t <= 0:
        return np.zeros_like(x)
    horizon = alpha + T + t
    decay = np.exp((r + x) * (np.log(alpha + T) - np.log(horizon)))
    bracket = 1.0 - decay * hyp2f1(r + x, b + x, a + b + x - 1.0, t / horizon)
    out: FloatArray = (a + b + x - 1.0) / (a - 1.0) * bracket * p_alive(params, x, t_x, T)
    return out


def discounted_expected_purchases(
    params: BGNBDParams,
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,
    *,
    horizon: float,
    units_per_year: float,
    annual_rate: float,
    steps: int,
) -> FloatArray:
    """Discounted expected purchases over (T, T + horizon], in ``steps`` equal periods.

    A discrete, finite-horizon version of the discounted expected residual transactions
    (DERT) of Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for
    Customer Base Analysis", JMR 42(4): Σ_k (E[Y(t_k)] − E[Y(t_{k−1})]) / (1+d)^(t_k/year),
    with t_k = k · horizon/steps and purchases of a period discounted at its end.
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    times = horizon * np.arange(1, steps + 1) / steps
    cumulative = np.vstack(
        [np.zeros_like(x)] + [expected_purchases(params, t, x, t_x, T) for t in times]
    )
    discount = (1.0 + annual_rate) ** (-times / units_per_year)
    out: FloatArray = (discount[:, None] * np.diff(cumulative, axis=0)).sum(axis=0)
    return out


def simulate(
    params: BGNBDParams, T: FloatArray, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Draw (x, t_x) for customers observed for T from the model (for tests and benchmarks).

    λ ~ Gamma(r, rate α), p ~ Beta(a, b); a customer makes J ~ Geometric(p) repeat
    purchases before dropping out, N ~ Poisson(λT) fall in (0, T], x = min(J, N), and
    the x-th of N uniform purchase times is T · Beta(x, N − x + 1).
    """
    T = np.asarray(T, dtype=np.float64)
    lam = rng.gamma(params.r, 1.0 / params.alpha, size=T.shape)
    p = rng.beta(params.a, params.b, size=T.shape)
    n = rng.poisson(lam * T)
    x = np.minimum(n, rng.geometric(p)).astype(np.float64)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(n - x, 0) + 1), 0.0)
    return x, t_x


def _as_arrays(
    x: FloatArray, t_x: FloatArray, T: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate the summary: x ≥ 0 whole, 0 ≤ t_x ≤ T, t_x = 0 when x = 0."""
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    if not (x.shape == t_x.shape == T.shape):
        raise ValueError("x, t_x and T must have the same shape")
    bad = (x < 0) | (x != np.floor(x)) | (t_x < 0) | (t_x > T)
    bad |= (x == 0) & (t_x != 0)
    if np.any(bad):
        raise ValueError(f"{int(bad.sum())} customers have an invalid (x, t_x, T) summary")
    return x, t_x, T
