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
from tools.clv_data import DAYS_PER_UNIT, DAYS_PER_YEAR, TimeUnit
from tools.clv_formula import ExpectedLifetime, configured_lifetime, formula_clv
from tools.clv_models import CLVModels, memoised
from tools.context import ToolContext
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
    horizon_weeks: int,
    discount_rate: float,
    lifetime: ExpectedLifetime,
    default_margin: float,
) -> pd.DataFrame:
    """Every CLV figure for the customers of ``summary`` (raises if the models are missing).

    Columns: :data:`SCORE_COLUMNS` plus ``annual_spend`` and ``gross_margin``; not
    checked for finiteness (see :func:`require_finite`).
    """
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
    return formula.assign(
        expected_purchases=bgnbd.expected_purchases(bg.params, horizon, x, t_x, T),
        p_alive=bgnbd.p_alive(bg.params, x, t_x, T),
        expected_aov=aov,
        predicted_clv=det * aov * formula["gross_margin"].to_numpy(),
    )


def require_finite(scores: pd.DataFrame) -> None:
    """Raise :class:`FitFailed` when any CLV figure of ``scores`` is not finite."""
    if not np.all(np.isfinite(scores[SCORE_COLUMNS].to_numpy())):
        raise FitFailed(
            "CLV is not finite for some customers at this horizon; try a shorter horizon_weeks"
        )


def lifetime_for(models: CLVModels, lifetime_years: float | None) -> ExpectedLifetime:
    """The configured lifetime, or the one estimated with the models when none is given."""
    return models.lifetime if lifetime_years is None else configured_lifetime(lifetime_years)


def population_scores(
    ctx: ToolContext,
    *,
    horizon_weeks: int,
    discount_rate: float,
    lifetime_years: float | None,
    unit: TimeUnit = "weeks",
    own_scope: bool = False,
) -> pd.DataFrame:
    """Every customer's summary and CLV figures, computed once per fit and arguments.

    Unscoped (callers keep to the caller's accounts) unless ``own_scope``: then only the
    customers of the caller's scope are scored, with the same population models, so
    their rows equal the unscoped ones. Unchecked: rows whose figures are not finite are
    kept, so a caller checks (:func:`require_finite`) only its own rows. The predicted
    columns are NaN when the models are not fitted. Memoised with the fit
    (:func:`tools.clv_models.memoised`), so per-account calls are look-ups.
    """
    check_horizon(horizon_weeks, discount_rate)
    key = ("scores", horizon_weeks, discount_rate, lifetime_years, ctx.default_gross_margin)

    def build(models: CLVModels, summary: pd.DataFrame) -> pd.DataFrame:
        lifetime = lifetime_for(models, lifetime_years)
        margin = ctx.default_gross_margin
        if models.issue is not None:
            figures = formula_clv(summary, unit, lifetime, margin)
            figures = figures.reindex(columns=[*figures.columns, *SCORE_COLUMNS[1:]])
        else:
            figures = score(summary, models, horizon_weeks, discount_rate, lifetime, margin)
        return pd.concat([summary, figures], axis=1)

    return memoised(ctx, unit, key, build, own_scope=own_scope)
