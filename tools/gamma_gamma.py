"""The Gamma-Gamma model of spend per transaction (what a customer's next orders are worth).

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "RFM and CLV: Using Iso-Value
Curves for Customer Base Analysis." Journal of Marketing Research 42(4), 415-430;
Fader, P. S. & Hardie, B. G. S. (2013). "The Gamma-Gamma Model of Monetary Value"
(brucehardie.com/notes/025).

A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across
customers. The data are, per repeat buyer, ``x`` repeat transactions and their mean
value ``m`` (the note's z̄); first purchases and customers without repeats are left
out, as in the paper. The model assumes spend is independent of purchase frequency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln

from tools.errors import FitFailed
from tools.mle import FloatArray, maximise

ADVICE = (
    "spend per order may vary too little between customers for the model; use the "
    "customers' own average order values (or the formula CLV) instead"
)


@dataclass(frozen=True)
class GammaGammaParams:
    """Population parameters: spend ~ Gamma(p, ν), ν ~ Gamma(q, γ) (γ in currency units)."""

    p: float
    q: float
    gamma: float

    @property
    def population_mean(self) -> float:
        """Mean spend per transaction of a new customer: pγ/(q−1) (needs q > 1)."""
        return self.p * self.gamma / (self.q - 1.0)


@dataclass(frozen=True)
class GammaGammaFit:
    """A maximum-likelihood fit: parameters, total log-likelihood, customers, iterations."""

    params: GammaGammaParams
    log_likelihood: float
    n_customers: int
    iterations: int


def _terms(log_params: FloatArray, x: FloatArray, m: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per-customer log-likelihood of the mean spend m over x transactions, and gradient.

    The marginal density of the mean (Fader & Hardie 2013)::

        f(m | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m^(px−1) x^(px) / (γ + m x)^(px+q)

    with ∂p = x[ψ(px+q) − ψ(px) + ln m + ln x − ln(γ+mx)],
    ∂q = ψ(px+q) − ψ(q) + ln γ − ln(γ+mx), ∂γ = q/γ − (px+q)/(γ+mx),
    each multiplied by its parameter for the log-parameters.
    """
    p, q, g = np.exp(log_params)
    px = p * x
    log_m, log_x, log_gmx = np.log(m), np.log(x), np.log(g + m * x)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(g)
        + (px - 1.0) * log_m
        + px * log_x
        - (px + q) * log_gmx
    )
    psi_pxq = digamma(px + q)
    grad = np.vstack(
        [
            p * x * (psi_pxq - digamma(px) + log_m + log_x - log_gmx),
            q * (psi_pxq - digamma(q) + np.log(g) - log_gmx),
            g * (q / g - (px + q) / (g + m * x)),
        ]
    )
    return ll, grad


def log_likelihood(params: GammaGammaParams, x: FloatArray, m: FloatArray) -> float:
    """Total log-likelihood of the repeat buyers' mean spends."""
    ll, _ = _terms(np.log([params.p, params.q, params.gamma]), *_as_arrays(x, m))
    return float(ll.sum())


def fit(x: FloatArray, m: FloatArray) -> GammaGammaFit:
    """Fit p, q, γ by maximum likelihood with analytic gradients (repeat buyers only).

    Spend is rescaled to mean 1 while optimising (γ is scaled back). Raises
    :class:`tools.errors.FitFailed` when the optimiser does not converge or q ≤ 1
    (the population's mean spend would be infinite).
    """
    x, m = _as_arrays(x, m)
    scale = float(m.mean())
    xs, ms = x, m / scale

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        ll, grad = _terms(log_params, xs, ms)
        return -float(ll.mean()), -grad.mean(axis=1)

    found = maximise(objective, np.zeros(3), model="Gamma-Gamma", advice=ADVICE)
    p, q, g = np.exp(found.log_params)
    params = GammaGammaParams(float(p), float(q), float(g * scale))
    if params.q <= 1.0:
        raise FitFailed(f"Gamma-Gamma fit gave q = {params.q:.3f} ≤ 1; {ADVICE}")
    return GammaGammaFit(params, log_likelihood(params, x, m), len(x), found.iterations)


def expected_spend(params: GammaGammaParams, x: FloatArray, m: FloatArray) -> FloatArray:
    """Expected spend per future transaction given x repeat transactions of mean m.

    E[M | p, q, γ, m, x] = (γ + m x) p / (px + q − 1), a weighted average of the
    population mean pγ/(q−1) and the customer's own mean m (Fader, Hardie & Lee 2005,
    JMR; Fader & Hardie 2013). Customers with x = 0 get the population mean.
    """
    x = np.asarray(x, dtype=np.float64)
    m = np.where(x > 0, np.asarray(m, dtype=np.float64), 0.0)
    p, q, g = params.p, params.q, params.gamma
    out: FloatArray = (g + m * x) * p / (p * x + q - 1.0)
    return out


def _as_arrays(x: FloatArray, m: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Validate: every customer has x ≥ 1 repeat transactions and a positive mean spend."""
    x, m = np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64)
    if x.shape != m.shape:
        raise ValueError("x and m must have the same shape")
    if np.any(x < 1) or not np.all(m > 0):
        raise ValueError("Gamma-Gamma needs repeat buyers (x ≥ 1) with positive mean spend")
    return x, m
