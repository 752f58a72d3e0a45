"""Fit the CLV models once per dataset and ``as_of``, and cache them in ``model_fits``.

The population is every customer in the store, whatever the caller's scope: the
models learn how customers in general buy and drop out, and expose only population
parameters; the caller's scope decides which accounts get results (:mod:`tools.clv`).

Lookup order: an in-process memo (per engine, ``as_of`` and time unit, also holding
the population summary for scoring), then the ``model_fits`` table, then a fresh fit
that is written back. Both caches are keyed by
:func:`tools.clv_data.data_key`; the memo re-reads the key at most every
:data:`RECHECK_SECONDS`, so a new order forces a refit within that delay while
per-account calls stay instant. Writing the fit uses its own short session and is
skipped (logged) on a read-only store.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from crm.models import Account, ModelFit
from tools import bgnbd, gamma_gamma, order_summary
from tools.bgnbd import BGNBDFit, BGNBDParams
from tools.clv_data import TimeUnit, customer_summary, data_key
from tools.clv_formula import ExpectedLifetime, estimate_lifetime
from tools.context import ToolContext
from tools.errors import InsufficientHistory, ToolError
from tools.gamma_gamma import GammaGammaFit, GammaGammaParams

log = logging.getLogger(__name__)
MIN_CUSTOMERS = 20
MIN_REPEAT_BUYERS = 10
RECHECK_SECONDS = 5.0
MAX_DERIVED = 64
_MEMO: WeakKeyDictionary[Any, dict[tuple[dt.date, str], _Entry]]
_MEMO = WeakKeyDictionary()
_LOCK = threading.Lock()
T = TypeVar("T")


@dataclass(frozen=True)
class CLVModels:
    """The fitted population models for one dataset, ``as_of`` and time unit.

    ``bgnbd`` and ``gamma_gamma`` are ``None`` when they cannot be fitted; ``issue``
    then says why (and :meth:`require` raises it), while the formula CLV still works.
    """

    as_of: dt.date
    data_key: str
    time_unit: TimeUnit
    fitted_at: dt.datetime
    lifetime: ExpectedLifetime
    bgnbd: BGNBDFit | None
    gamma_gamma: GammaGammaFit | None
    issue: ToolError | None = None

    def require(self) -> tuple[BGNBDFit, GammaGammaFit]:
        """Both probabilistic models, or the error that prevented fitting them."""
        if self.bgnbd is None or self.gamma_gamma is None:
            raise self.issue or InsufficientHistory("the CLV models are not fitted")
        return self.bgnbd, self.gamma_gamma


def fit_models(summary: pd.DataFrame, as_of: dt.date, unit: TimeUnit, key: str) -> CLVModels:
    """Fit BG/NBD on every customer and Gamma-Gamma on the repeat buyers of ``summary``.

    Gamma-Gamma sees the repeat purchases with a positive value (``priced_repeats``
    and their mean ``monetary``), see :mod:`tools.clv_data`.
    """
    now = dt.datetime.now(dt.UTC)
    lifetime = estimate_lifetime(summary, as_of, unit)
    try:
        _check_enough(summary, as_of)
        bg = bgnbd.fit(summary["x"].to_numpy(), summary["t_x"].to_numpy(), summary["T"].to_numpy())
        priced = summary[summary["priced_repeats"] > 0]
        gg = gamma_gamma.fit(priced["priced_repeats"].to_numpy(), priced["monetary"].to_numpy())
    except ToolError as exc:
        return CLVModels(as_of, key, unit, now, lifetime, None, None, exc)
    return CLVModels(as_of, key, unit, now, lifetime, bg, gg)


def _check_enough(summary: pd.DataFrame, as_of: dt.date) -> None:
    n, repeaters = len(summary), int((summary["priced_repeats"] > 0).sum())
    if n < MIN_CUSTOMERS or repeaters < MIN_REPEAT_BUYERS:
        raise InsufficientHistory(
            f"the purchase models need at least {MIN_CUSTOMERS} customers with purchases "
            f"and {MIN_REPEAT_BUYERS} who bought on two different days by {as_of}; the "
            f"store has {n} customers and {repeaters} repeat buyers (the formula CLV "
            "still works)"
        )


@dataclass
class _Entry:
    """A memo slot: when its data key was last checked, the models, the population summary.

    ``derived`` holds what :func:`memoised` built from them (e.g. scored populations).
    """

    checked: float
    models: CLVModels
    summary: pd.DataFrame | None
    derived: dict[tuple[Any, ...], Any] = field(default_factory=dict)


def clv_models(ctx: ToolContext, unit: TimeUnit = "weeks") -> CLVModels:
    """The models for ``ctx.as_of`` and ``unit``: memo, then ``model_fits``, then a fresh fit."""
    return _entry(ctx, unit).models


def memoised(
    ctx: ToolContext,
    unit: TimeUnit,
    key: tuple[Any, ...],
    build: Callable[[CLVModels, pd.DataFrame], T],
    *,
    own_scope: bool = False,
) -> T:
    """``build(models, summary)``, memoised with the fit under ``key``.

    The summary is the whole population's; with ``own_scope``, for a caller who does not
    see everything, only the customers of the caller's scope (read from their own orders:
    a rep's first request then reads a few hundred accounts' orders instead of the whole
    store's, ≈ 3 s at demo scale 500), memoised per scope. The value lives as long as the
    fit's memo slot (a new data key, i.e. new orders, drops it); at most MAX_DERIVED values
    are kept per slot, the oldest dropped first.
    """
    entry = _entry(ctx, unit)
    scoped = own_scope and not ctx.scope.sees_all
    slot = (*key, ctx.scope.owner_ids) if scoped else key
    if slot not in entry.derived:
        if scoped:
            owned = ctx.scope.owner_filter(col(Account.owner_id))
            summary = customer_summary(ctx.session, ctx.as_of, unit, owned)
        else:
            if entry.summary is None:
                entry.summary = customer_summary(ctx.session, ctx.as_of, unit)
            summary = entry.summary
        entry.derived[slot] = build(entry.models, summary)
        while len(entry.derived) > MAX_DERIVED:
            del entry.derived[next(iter(entry.derived))]
    return entry.derived[slot]  # type: ignore[no-any-return]


def _entry(ctx: ToolContext, unit: TimeUnit) -> _Entry:
    bind = ctx.session.get_bind()
    engine = getattr(bind, "engine", bind)
    slot = (ctx.as_of, unit)
    with _LOCK:
        cached = _MEMO.get(engine, {}).get(slot)
    if cached and time.monotonic() - cached.checked < RECHECK_SECONDS:
        return cached
    key = data_key(ctx.session, ctx.as_of)
    if cached and cached.models.data_key == key:
        entry = _Entry(time.monotonic(), cached.models, cached.summary, cached.derived)
    elif (models := _load(ctx.session, ctx.as_of, unit, key)) is not None:
        entry = _Entry(time.monotonic(), models, None)
    else:
        summary = customer_summary(ctx.session, ctx.as_of, unit)
        models = fit_models(summary, ctx.as_of, unit, key)
        _store(engine, models, len(summary))
        entry = _Entry(time.monotonic(), models, summary)
    with _LOCK:
        _MEMO.setdefault(engine, {})[slot] = entry
    return entry


def forget_memo() -> None:
    """Drop the in-process memos, with the orders read per day (``model_fits`` rows stay)."""
    with _LOCK:
        _MEMO.clear()
    order_summary.forget()


def _load(session: Session, as_of: dt.date, unit: TimeUnit, key: str) -> CLVModels | None:
    rows = session.exec(
        select(ModelFit)
        .where(
            col(ModelFit.as_of) == as_of,
            col(ModelFit.data_key) == key,
            col(ModelFit.time_unit) == unit,
        )
        .order_by(col(ModelFit.id).desc())
    ).all()
    latest: dict[str, ModelFit] = {}
    for row in rows:
        latest.setdefault(row.model, row)
    if not {"bgnbd", "gamma_gamma", "lifetime"} <= latest.keys():
        return None
    bg, gg, lt = (json.loads(latest[m].params) for m in ("bgnbd", "gamma_gamma", "lifetime"))
    return CLVModels(
        as_of,
        key,
        unit,
        latest["bgnbd"].created_at,
        ExpectedLifetime(lt["years"], lt["method"], lt["annual_churn"], lt["cohort"]),
        BGNBDFit(
            BGNBDParams(bg["r"], bg["alpha"], bg["a"], bg["b"]),
            float(latest["bgnbd"].log_likelihood or 0.0),
            latest["bgnbd"].n_customers,
            bg["iterations"],
        ),
        GammaGammaFit(
            GammaGammaParams(gg["p"], gg["q"], gg["gamma"]),
            float(latest["gamma_gamma"].log_likelihood or 0.0),
            latest["gamma_gamma"].n_customers,
            gg["iterations"],
        ),
    )


def _store(engine: Any, models: CLVModels, n_customers: int) -> None:
    """Write the fitted models (only complete fits) in a short session of their own."""
    if models.bgnbd is None or models.gamma_gamma is None:
        return
    bg, gg, lt = models.bgnbd, models.gamma_gamma, models.lifetime
    entries = [
        ("bgnbd", {**vars(bg.params), "iterations": bg.iterations}, bg.log_likelihood, n_customers),
        (
            "gamma_gamma",
            {**vars(gg.params), "iterations": gg.iterations},
            gg.log_likelihood,
            gg.n_customers,
        ),
        ("lifetime", vars(lt), None, lt.cohort),
    ]
    rows = [
        ModelFit(
            model=name,
            as_of=models.as_of,
            data_key=models.data_key,
            time_unit=models.time_unit,
            params=json.dumps(params),
            log_likelihood=ll,
            n_customers=n,
            created_at=models.fitted_at,
        )
        for name, params, ll, n in entries
    ]
    try:
        with Session(engine) as session:
            session.add_all(rows)
            session.commit()
    except SQLAlchemyError as exc:  # a read-only store still answers, from the memo
        log.warning("could not cache CLV fits in model_fits: %s", exc)
