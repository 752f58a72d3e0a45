"""Maximum likelihood in log-parameter space, shared by the customer-base models.

The models (BG/NBD, Gamma-Gamma) have strictly positive parameters; optimising their
logarithms removes the positivity constraints and evens out the scales. Each model
supplies the mean negative log-likelihood and its analytic gradient with respect to
the log-parameters; this module runs L-BFGS-B and turns every way a fit can go wrong
(non-finite values, no convergence, a parameter running off to 0 or infinity) into
:class:`tools.errors.FitFailed` with a message that says what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from tools.errors import FitFailed

FloatArray = npt.NDArray[np.float64]
Objective = Callable[[FloatArray], tuple[float, FloatArray]]

LOG_BOUND = 18.0
"""Box of the optimiser on the log-parameters (parameters within ~1.5e-8 .. 6.6e7)."""
LOG_PLAUSIBLE = 10.0
"""|log parameter| beyond this at the optimum (below ~4.5e-5 or above ~2.2e4, on data scaled
to unit size) means the likelihood improves as a parameter degenerates: divergence."""
GRADIENT_TOLERANCE = 1e-5
"""Largest |gradient| of the mean log-likelihood accepted at the optimum."""


@dataclass(frozen=True)
class LogFit:
    """The optimum of a log-parameter likelihood."""

    log_params: FloatArray
    mean_log_likelihood: float
    iterations: int


def maximise(objective: Objective, x0: FloatArray, *, model: str, advice: str) -> LogFit:
    """Minimise ``objective`` (mean negative log-likelihood and gradient) from ``x0``.

    Raises :class:`FitFailed` naming ``model`` and giving ``advice`` when the optimiser
    stops without a small gradient, returns non-finite values, or ends with a parameter
    beyond ±:data:`LOG_PLAUSIBLE` (the likelihood keeps improving as a parameter
    degenerates, so the data cannot identify the model).
    """
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(x0)
    # One BLAS thread: L-BFGS-B's tiny vector operations only lose time waking a pool.
    with np.errstate(all="ignore"), threadpool_limits(limits=1, user_api="blas"):
        result = minimize(
            objective,
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
        )
        value, gradient = objective(result.x)
    if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
        raise FitFailed(f"{model} fit produced non-finite values; {advice}")
    if np.any(np.abs(result.x) > LOG_PLAUSIBLE):
        raise FitFailed(f"{model} fit diverged (a parameter ran to its limit); {advice}")
    if np.max(np.abs(gradient)) > GRADIENT_TOLERANCE:
        raise FitFailed(
            f"{model} fit did not converge after {result.nit} iterations "
            f"({result.message}); {advice}"
        )
    return LogFit(np.asarray(result.x, dtype=np.float64), -float(value), int(result.nit))
