"""Score customers: formula CLV and probabilistic CLV, vectorised over a summary frame.

Probabilistic CLV over a horizon of H weeks with annual discount rate d::

    predicted_clv = DET(H, d) × E[spend per purchase] × gross margin

where DET is the BG/NBD discounted expected purchases
(:func:`tools.bgnbd.discounted_expected_purchases`, about monthly steps, each
discounted at its end by (1+d)^(−years)), E[spend] the Gamma-Gamma conditional
expectation (:func:`tools.gamma_gamma.expected_spend`) and the margin the customer's
own (see :mod:`tools.clv_formula`). Horizons are given in weeks and converted into
the unit the models were fitted in, so the answer does not depend on that unit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tools import bgnbd, gamma_gamma
from tools.clv_data import DAYS_PER_UNIT, DAYS_PER_YEAR
from tools.clv_formula import ExpectedLifetime, formula_clv
from tools.clv_models import CLVModels
from tools.errors import FitFailed, InvalidArgument

STEPS_PER_YEAR = 12
WEEKS_PER_YEAR = DAYS_PER_YEAR / 7.0
MAX_HORIZON_WEEKS = 520
SCORE_COLUMNS = ["formula_clv", "expected_purchases", "p_alive", "expected_aov", "predicted_clv"]


def check_horizon(horizon_weeks: int, discount_rate: float) -> None:
    """Reject horizons outside 1..520 weeks and discount rates outside [0, 1)."""
    if not 1 <= horizon_weeks <= MAX_HORIZON_WEEKS:
        raise InvalidArgument(f"horizon_weeks must be 1..{MAX_HORIZON_WEEKS}, got {horizon_weeks}")
    if not 0 <= discount_rate < 1:
        raise InvalidArgument(f"discount_rate must be in [0, 1), got {discount_rate}")


def score(
    summary: pd.DataFrame,
    models: CLVModels,
    *,
    horizon_weeks: int,
    discount_rate: float,
    lifetime: ExpectedLifetime,
    default_margin: float,
) -> pd.DataFrame:
    """Every CLV figure for the customers of ``summary`` (raises if the models are missing).

    Columns: :data:`SCORE_COLUMNS` plus ``annual_spend`` and ``gross_margin``.
    """
    check_horizon(horizon_weeks, discount_rate)
    bg, gg = models.require()
    unit = models.time_unit
    x, t_x, T = (summary[c].to_numpy(dtype=np.float64) for c in ("x", "t_x", "T"))
    units_per_week = 7.0 / DAYS_PER_UNIT[unit]
    horizon = horizon_weeks * units_per_week
    formula = formula_clv(summary, unit, lifetime, default_margin)
    det = bgnbd.discounted_expected_purchases(
        bg.params,
        x,
        t_x,
        T,
        horizon=horizon,
        units_per_year=WEEKS_PER_YEAR * units_per_week,
        annual_rate=discount_rate,
        steps=max(1, math.ceil(horizon_weeks * STEPS_PER_YEAR / WEEKS_PER_YEAR)),
    )
    priced, monetary = summary["priced_repeats"].to_numpy(), summary["monetary"].to_numpy()
    aov = gamma_gamma.expected_spend(gg.params, priced, monetary)
    out = formula.assign(
        expected_purchases=bgnbd.expected_purchases(bg.params, horizon, x, t_x, T),
        p_alive=bgnbd.p_alive(bg.params, x, t_x, T),
        expected_aov=aov,
        predicted_clv=det * aov * formula["gross_margin"].to_numpy(),
    )
    if not np.all(np.isfinite(out[SCORE_COLUMNS].to_numpy())):
        raise FitFailed(
            "CLV is not finite for some customers at this horizon; try a shorter horizon_weeks"
        )
    return out
