"""Customer lifetime value tools: formula CLV and BG/NBD + Gamma-Gamma CLV, scoped.

:func:`clv_table` is what other tools call (account 360, RFM + CLV views): one row per
customer in the caller's scope. The models are fitted on every customer of the store
(:mod:`tools.clv_models`) but only the caller's accounts get results; a rep asking
about another rep's account gets "not found or not yours". Definitions:
:mod:`tools.clv_data` (purchases), :mod:`tools.clv_formula` (formula CLV),
:mod:`tools.clv_score` (predicted CLV); the models are in :mod:`tools.bgnbd` and
:mod:`tools.gamma_gamma`. Times in results are in weeks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field
from sqlmodel import col, select

from crm.models import Account, Order
from tools.catalog import tool
from tools.clv_data import TimeUnit
from tools.clv_formula import LifetimeMethod
from tools.clv_models import CLVModels, clv_models
from tools.clv_score import (
    SCORE_COLUMNS,
    check_horizon,
    lifetime_for,
    population_scores,
    require_finite,
)
from tools.context import ToolContext
from tools.errors import InsufficientHistory, InvalidArgument
from tools.records import MAX_IDS, get_account


class CLVModelFit(BaseModel):
    """The fitted population models behind every predicted CLV."""

    fitted_at: dt.datetime = Field(description="When the models were fitted (UTC).")
    time_unit: Literal["days", "weeks"] = Field(description="Unit of alpha (r, a, b have none).")
    n_customers: int = Field(description="Customers (accounts with a purchase) in the BG/NBD fit.")
    n_repeat_buyers: int = Field(description="Repeat buyers in the Gamma-Gamma fit.")
    r: float = Field(description="BG/NBD purchase-rate shape r.")
    alpha: float = Field(description="BG/NBD purchase-rate scale alpha, in time_unit.")
    a: float = Field(description="BG/NBD dropout Beta parameter a.")
    b: float = Field(description="BG/NBD dropout Beta parameter b.")
    bgnbd_log_likelihood: float = Field(description="BG/NBD log-likelihood at the optimum.")
    p: float = Field(description="Gamma-Gamma spend shape p.")
    q: float = Field(description="Gamma-Gamma shape q of the spend scale's distribution.")
    gamma: float = Field(description="Gamma-Gamma scale gamma (currency units).")
    gamma_gamma_log_likelihood: float = Field(description="Gamma-Gamma log-likelihood.")
    population_mean_order_value: float = Field(
        description="Expected spend per purchase, p·γ/(q−1)."
    )
    expected_lifetime_years: float = Field(description="Lifetime used by the formula CLV.")
    lifetime_method: LifetimeMethod = Field(description="Where the lifetime comes from.")
    annual_churn: float | None = Field(description="Population annual churn behind the lifetime.")


class AccountCLV(BaseModel):
    """One account's lifetime value: formula and model-based, with their inputs."""

    account_id: str = Field(description="The account.")
    account_name: str = Field(description="Its name.")
    as_of: dt.date = Field(description="Analysis date: orders after it are ignored.")
    currency: str = Field(description="Currency of every amount.")
    formula_clv: float = Field(description="Annual spend × expected lifetime × gross margin.")
    annual_spend: float = Field(description="Total spend ÷ tenure in years (at least 1 year).")
    gross_margin: float = Field(description="1 − cost/spend over orders with a cost, else default.")
    expected_lifetime_years: float = Field(description="Expected customer lifetime in years.")
    lifetime_method: LifetimeMethod = Field(
        description="configured, estimated from churn, or default."
    )
    repeat_purchases: int = Field(description="x: purchase days after the first (same day = one).")
    weeks_first_to_last_purchase: float = Field(description="t_x: recency, in weeks.")
    weeks_since_first_purchase: float = Field(description="T: customer age at as_of, in weeks.")
    average_repeat_order_value: float = Field(description="Mean value of repeat purchases.")
    total_spend: float = Field(description="Spend on purchase days up to as_of.")
    horizon_weeks: int = Field(description="Horizon of the predictions.")
    discount_rate: float = Field(description="Annual discount rate of the predicted CLV.")
    expected_purchases: float | None = Field(
        description="BG/NBD purchases expected in the horizon."
    )
    p_alive: float | None = Field(
        description="BG/NBD probability that the customer is still active."
    )
    expected_aov: float | None = Field(description="Gamma-Gamma expected spend per purchase.")
    predicted_clv: float | None = Field(description="Discounted expected margin over the horizon.")
    model_issue: str | None = Field(
        description="Why the predicted figures are missing, if they are."
    )
    model: CLVModelFit | None = Field(description="Model parameters and fit date.")
    order_ids: list[str] = Field(description=f"Ids of the orders behind the figures (≤ {MAX_IDS}).")
    order_count: int = Field(description="How many orders lie behind the figures.")


class RankedCLV(BaseModel):
    """One account in a CLV ranking."""

    account_id: str = Field(description="The account.")
    account_name: str = Field(description="Its name.")
    predicted_clv: float = Field(description="Discounted expected margin over the horizon.")
    formula_clv: float = Field(description="Annual spend × expected lifetime × gross margin.")
    expected_purchases: float = Field(description="Purchases expected in the horizon.")
    p_alive: float = Field(description="Probability that the customer is still active.")
    expected_aov: float = Field(description="Expected spend per purchase.")


class TopCLVAccounts(BaseModel):
    """The caller's accounts with the highest CLV."""

    as_of: dt.date = Field(description="Analysis date.")
    currency: str = Field(description="Currency of every amount.")
    ranked_by: Literal["predicted_clv", "formula_clv"] = Field(description="Sort key.")
    horizon_weeks: int = Field(description="Horizon of the predictions.")
    accounts: list[RankedCLV] = Field(description="Highest first.")
    customers_considered: int = Field(description="Customers in the caller's scope.")
    account_ids: list[str] = Field(description="Ids of the listed accounts.")


SUMMARY_ONLY = ["priced_repeats", "total", "costed_total", "cost", "first_date", "bought_prev_year"]


def clv_table(
    ctx: ToolContext,
    *,
    horizon_weeks: int = 52,
    discount_rate: float = 0.10,
    lifetime_years: float | None = None,
    time_unit: TimeUnit = "weeks",
) -> pd.DataFrame:
    """CLV of every customer in the caller's scope, indexed by ``account_id``.

    Columns: formula_clv, expected_purchases, p_alive, expected_aov, predicted_clv,
    annual_spend, gross_margin and the inputs x, t_x, T (in ``time_unit``), monetary.
    Raises :class:`tools.errors.InsufficientHistory` / ``FitFailed`` when the models
    cannot be fitted. The population (or the caller's scope) is scored once per fit
    (:func:`population_scores`).
    """
    check_horizon(horizon_weeks, discount_rate)
    clv_models(ctx, time_unit).require()
    table = population_scores(
        ctx,
        horizon_weeks=horizon_weeks,
        discount_rate=discount_rate,
        lifetime_years=lifetime_years,
        unit=time_unit,
        own_scope=True,
    )
    require_finite(table)
    return table.drop(columns=SUMMARY_ONLY)


@tool
def account_clv(
    ctx: ToolContext,
    *,
    account_id: str,
    horizon_weeks: int = 52,
    discount_rate: float = 0.10,
    lifetime_years: float | None = None,
) -> AccountCLV:
    """Estimate what one account is worth: formula CLV and model-based (BG/NBD) CLV.

    Use for "what is this customer worth", "is this account still active" or "how much
    will they buy next year". Gives expected purchases, probability still active,
    expected order value and discounted CLV, plus the formula CLV sales teams use.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        account_id: The account's id.
        horizon_weeks: How far ahead to predict, in weeks (1-520).
        discount_rate: Annual discount rate for the predicted CLV (0.10 = 10%).
        lifetime_years: Customer lifetime in years for the formula CLV; leave empty to
            estimate it from the customers' churn.
    """
    check_horizon(horizon_weeks, discount_rate)
    account = get_account(ctx, account_id)
    figures = clv_figures(
        ctx,
        account.id,
        horizon_weeks=horizon_weeks,
        discount_rate=discount_rate,
        lifetime_years=lifetime_years,
    )
    order_ids, order_count = _order_ids(ctx, account.id)
    return AccountCLV(
        account_id=account.id,
        account_name=account.name,
        order_ids=order_ids,
        order_count=order_count,
        **figures,
    )


def clv_figures(
    ctx: ToolContext,
    account_id: str,
    *,
    horizon_weeks: int = 52,
    discount_rate: float = 0.10,
    lifetime_years: float | None = None,
) -> dict[str, Any]:
    """The :class:`AccountCLV` fields of one account but its name and order ids.

    A look-up in the scored population (:func:`population_scores`); the caller has
    checked that it may see the account.
    """
    models = clv_models(ctx)
    table = population_scores(
        ctx, horizon_weeks=horizon_weeks, discount_rate=discount_rate, lifetime_years=lifetime_years
    )
    found = table.index.get_indexer(pd.Index([account_id]))[0]
    if found < 0:
        raise InsufficientHistory(
            f"account {account_id!r} has no purchase (an order day with a positive amount) "
            f"by {ctx.as_of}, so it has no CLV yet"
        )
    lifetime = lifetime_for(models, lifetime_years)
    row = table.iloc[found]
    return {
        "as_of": ctx.as_of,
        "currency": ctx.currency,
        "expected_lifetime_years": round(lifetime.years, 2),
        "lifetime_method": lifetime.method,
        "repeat_purchases": int(row["x"]),
        "weeks_first_to_last_purchase": round(float(row["t_x"]), 2),
        "weeks_since_first_purchase": round(float(row["T"]), 2),
        "average_repeat_order_value": round(float(row["monetary"]), 2),
        "total_spend": round(float(row["total"]), 2),
        "horizon_weeks": horizon_weeks,
        "discount_rate": discount_rate,
        "model": None if models.issue else _model_fit(models),
        "formula_clv": round(float(row["formula_clv"]), 2),
        "annual_spend": round(float(row["annual_spend"]), 2),
        "gross_margin": round(float(row["gross_margin"]), 4),
        "model_issue": str(models.issue) if models.issue else None,
        **_predicted(table.iloc[[found]], models),
    }


def _predicted(rows: pd.DataFrame, models: CLVModels) -> dict[str, float | None]:
    """The model-based figures of a one-row frame (None when the models are missing)."""
    if models.issue is not None:
        return dict.fromkeys(SCORE_COLUMNS[1:])
    require_finite(rows)
    row = rows.iloc[0]
    return {
        "expected_purchases": round(float(row["expected_purchases"]), 4),
        "p_alive": round(float(row["p_alive"]), 4),
        "expected_aov": round(float(row["expected_aov"]), 2),
        "predicted_clv": round(float(row["predicted_clv"]), 2),
    }


@tool
def top_clv_accounts(
    ctx: ToolContext,
    *,
    limit: int = 10,
    horizon_weeks: int = 52,
    rank_by: Literal["predicted_clv", "formula_clv"] = "predicted_clv",
) -> TopCLVAccounts:
    """List the caller's most valuable customers by lifetime value.

    Use for "who are my most valuable customers" or "which accounts are worth the most".
    Ranks by the model-based discounted CLV over the horizon (or by the formula CLV).

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        limit: How many accounts to list (1-50).
        horizon_weeks: Prediction horizon in weeks (1-520).
        rank_by: predicted_clv (model-based, discounted at 10% a year) or formula_clv.
    """
    if not 1 <= limit <= MAX_IDS:
        raise InvalidArgument(f"limit must be 1..{MAX_IDS}, got {limit}")
    table = clv_table(ctx, horizon_weeks=horizon_weeks)
    top = table.sort_values([rank_by], ascending=False, kind="stable").head(limit)
    names = dict(
        ctx.session.exec(
            select(Account.id, Account.name).where(col(Account.id).in_(list(top.index)))
        ).all()
    )
    ranked = [
        RankedCLV(
            account_id=str(account_id),
            account_name=names.get(str(account_id), ""),
            **{
                c: round(float(row[c]), 4 if c in {"p_alive", "expected_purchases"} else 2)
                for c in SCORE_COLUMNS
            },
        )
        for account_id, row in top.iterrows()
    ]
    return TopCLVAccounts(
        as_of=ctx.as_of,
        currency=ctx.currency,
        ranked_by=rank_by,
        horizon_weeks=horizon_weeks,
        accounts=ranked,
        customers_considered=len(table),
        account_ids=[r.account_id for r in ranked],
    )


@tool
def clv_model_fit(ctx: ToolContext) -> CLVModelFit:
    """Show the fitted CLV models: BG/NBD and Gamma-Gamma parameters and fit quality.

    Use to explain where predicted CLV, expected purchases and P(active) come from.
    The models are fitted on all customers; only population parameters are shown.
    """
    return _model_fit(clv_models(ctx))


def _model_fit(models: CLVModels) -> CLVModelFit:
    bg, gg = models.require()
    return CLVModelFit(
        fitted_at=models.fitted_at,
        time_unit=models.time_unit,
        n_customers=bg.n_customers,
        n_repeat_buyers=gg.n_customers,
        r=bg.params.r,
        alpha=bg.params.alpha,
        a=bg.params.a,
        b=bg.params.b,
        bgnbd_log_likelihood=bg.log_likelihood,
        p=gg.params.p,
        q=gg.params.q,
        gamma=gg.params.gamma,
        gamma_gamma_log_likelihood=gg.log_likelihood,
        population_mean_order_value=round(gg.params.population_mean, 2),
        expected_lifetime_years=round(models.lifetime.years, 2),
        lifetime_method=models.lifetime.method,
        annual_churn=models.lifetime.annual_churn,
    )


def _order_ids(ctx: ToolContext, account_id: str) -> tuple[list[str], int]:
    ids = ctx.session.exec(
        select(Order.id)
        .where(col(Order.account_id) == account_id, col(Order.order_date) <= ctx.as_of)
        .order_by(col(Order.order_date).desc(), col(Order.id))
    ).all()
    return list(ids[:MAX_IDS]), len(ids)
