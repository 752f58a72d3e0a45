"""Lead scoring: attribute fit, engagement behaviour and predicted conversion, ranked.

**Scope.** Leads have no owner: they are the company's shared inbound pool, visible to
every CRM user (rep, manager, admin). What a lead links to is not: the account a lead
converted into is shown only when the caller may see that account. The ideal customer
profile is learnt from every account (company-level shares only; no account is named).
Leads created after as_of do not exist. Status and engagement counters are current
values (the store keeps no history of them), so scores for a past as_of use today's.

**Fit (0-100).** :mod:`tools.lead_fit`: the likelihood ratio of the lead's industry, size
band and country among won customers against all accounts.

**Behaviour (0-100).** Engagement points (:data:`POINTS`: email open 2, page view 1,
form submission 10, event attended 15) decay with the lead's age (created_at → as_of)
with a half-life of 30 days: ``points · 0.5^(age / 30)``; ``behaviour = 100 · (1 −
exp(−decayed / 50))``.

**Conversion probability.** :mod:`tools.lead_model`, trained on leads created at least
30 days before as_of with a known outcome.

**Combined (0-100).** ``0.25 fit + 0.25 behaviour + 0.5 · 100 · p`` with a trained model;
``0.5 fit + 0.5 behaviour`` on the base-rate fallback (p is then the same for all).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel import col

from crm.models import Account, Lead, LeadStatus
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import InvalidArgument, NotFound
from tools.lead_fit import FIT_FEATURES, fit_ratios, fit_scores, size_band
from tools.lead_model import (
    CATEGORICAL,
    COUNTER_WORDS,
    COUNTERS,
    ConversionModel,
    fit_conversion_model,
)
from tools.pipeline_data import calendar_days, epoch_days, fetch_frame

POINTS = {"email_opens": 2.0, "page_views": 1.0, "form_submissions": 10.0, "events_attended": 15.0}
HALF_LIFE_DAYS = 30.0
BEHAVIOUR_SCALE = 50.0
LABEL_LAG_DAYS = 30
OPEN_STATUSES = ("new", "contacted", "qualified")
_MAX_MODELS = 8
_models: OrderedDict[int, ConversionModel] = OrderedDict()
_lock = threading.Lock()


def lead_frame(ctx: ToolContext) -> pd.DataFrame:
    """Every lead created by as_of, indexed by id; ``converted_account_id`` only if visible."""
    visible = and_(
        col(Account.id) == col(Lead.converted_account_id),
        ctx.scope.owner_filter(col(Account.owner_id)),
    )
    stmt: Any = (
        sa_select(
            col(Lead.id), col(Lead.name), col(Lead.company), col(Lead.source), col(Lead.status),
            col(Lead.industry), col(Lead.employees), col(Lead.country),
            *[col(getattr(Lead, c)) for c in COUNTERS],
            epoch_days(Lead.created_at).label("created"),
            col(Account.id).label("converted_account_id"),
        )
        .outerjoin(Account, visible)
        .where(col(Lead.created_at) < ctx.as_of_end)
    )  # fmt: skip
    frame = fetch_frame(ctx, stmt).set_index("id")
    frame["size_band"] = size_band(frame["employees"])
    frame["age_days"] = calendar_days(ctx.as_of, frame["created"]).clip(lower=0).to_numpy()
    return frame


def behaviour_scores(leads: pd.DataFrame) -> pd.DataFrame:
    """Engagement ``points``, ``decayed`` points and ``behaviour`` (0-100) per lead."""
    points = sum(leads[c].astype(float) * w for c, w in POINTS.items())
    decayed = points * 0.5 ** (leads["age_days"].astype(float) / HALF_LIFE_DAYS)
    behaviour = 100 * (1 - np.exp(-decayed / BEHAVIOUR_SCALE))
    return pd.DataFrame({"points": points, "decayed": decayed, "behaviour": behaviour.round(1)})


def conversion_model(leads: pd.DataFrame) -> ConversionModel:
    """The conversion model of the leads old enough to have a known outcome (cached by content).

    The cache key hashes the training rows, so any change to a labelled lead refits.
    """
    labelled = leads[
        leads["status"].isin(["converted", "disqualified"]) & (leads["age_days"] >= LABEL_LAG_DAYS)
    ]
    columns = ["status", *CATEGORICAL, *COUNTERS]
    key = int(pd.util.hash_pandas_object(labelled[columns].reset_index()).sum())
    with _lock:
        model = _models.get(key)
    if model is None:
        model = fit_conversion_model(labelled, labelled["status"] == "converted")
        with _lock:
            _models[key] = model
            while len(_models) > _MAX_MODELS:
                _models.popitem(last=False)
    return model


def score_frame(ctx: ToolContext) -> tuple[pd.DataFrame, ConversionModel]:
    """Every lead with its fit, behaviour, probability and combined score (best first)."""
    leads = lead_frame(ctx)
    if leads.empty:
        raise InvalidArgument("there are no leads as of this date")
    scored = leads.join(fit_scores(leads, fit_ratios(ctx))).join(behaviour_scores(leads))
    model = conversion_model(leads)
    scored["probability"] = model.probabilities(leads).round(4)
    w_fit, w_behaviour, w_model = (0.5, 0.5, 0.0) if model.estimator is None else (0.25, 0.25, 0.5)
    combined = w_fit * scored["fit"] + w_behaviour * scored["behaviour"]
    scored["combined"] = (combined + w_model * 100 * scored["probability"]).round(1)
    scored = scored.sort_values(["combined", "created"], ascending=[False, False])
    scored["rank"] = np.arange(1, len(scored) + 1)
    return scored, model


def _statuses(status: str | None) -> tuple[str, ...]:
    return OPEN_STATUSES if status is None else (status,)


def _reasons(row: pd.Series, factors: list[str]) -> list[str]:
    """Why a lead scores as it does: its strongest fit feature, engagement, model factors."""
    feature = max(FIT_FEATURES, key=lambda f: abs(np.log(row[f"lr_{f}"])))
    lr = float(row[f"lr_{feature}"])
    times = f"{lr:.1f}× as common" if lr >= 1 else f"{1 / lr:.1f}× less common"
    label = feature.replace("_", " ")
    counts = ", ".join(f"{int(row[c])} {COUNTER_WORDS[c]}" for c in COUNTERS)
    value = _text(row[feature]) or "unknown"
    return [
        f"{label} {value}: {times} among customers as among all accounts",
        f"{row['points']:g} engagement points ({counts}), {row['decayed']:.1f} after "
        f"{int(row['age_days'])} days at a {HALF_LIFE_DAYS:g}-day half-life",
        *factors,
    ]


class LeadModelInfo(BaseModel):
    """How conversion probabilities were obtained."""

    method: Literal["logistic_regression", "base_rate"] = Field(
        description="Calibrated logistic regression, or the base rate when data is scarce."
    )
    labelled_leads: int = Field(description="Past leads with a known outcome used for training.")
    converted_leads: int = Field(description="How many of them converted.")
    base_rate: float = Field(description="(converted + 1) / (labelled + 2).")
    combination: str = Field(description="How the combined score weighs the three scores.")


class ScoredLead(BaseModel):
    """A lead's three scores, combined score, rank and the reasons behind them."""

    lead_id: str = Field(description="Lead id.")
    name: str = Field(description="Person's name.")
    company: str | None = Field(description="Company name as entered.")
    status: LeadStatus = Field(description="Current lead status.")
    source: str | None = Field(description="Where the lead came from.")
    age_days: int = Field(description="Days from creation to as_of.")
    industry: str | None = Field(description="Industry.")
    size_band: str = Field(description="Employee size band.")
    country: str | None = Field(description="Country.")
    fit_score: float = Field(
        description="Match to the ideal customer profile, 0-100 (50 = average)."
    )
    behaviour_score: float = Field(description="Decayed engagement, 0-100.")
    engagement_points: float = Field(description="Engagement points before decay.")
    conversion_probability: float = Field(description="Predicted probability of converting (0-1).")
    combined_score: float = Field(description="Weighted combination of the three scores, 0-100.")
    rank: int = Field(description="Position in the ranking (1 = best).")
    reasons: list[str] = Field(description="Fit, engagement and model factors, in words.")
    converted_account_id: str | None = Field(
        description="The account the lead became, when it converted and you may see it."
    )


def _text(value: Any) -> str | None:
    """A text cell, None when empty (pandas gives NaN for NULL)."""
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _scored_lead(lead_id: str, row: pd.Series, rank: int, factors: list[str]) -> ScoredLead:
    return ScoredLead(
        lead_id=lead_id,
        name=row["name"],
        company=_text(row["company"]),
        status=row["status"],
        source=_text(row["source"]),
        age_days=int(row["age_days"]),
        industry=_text(row["industry"]),
        size_band=row["size_band"],
        country=_text(row["country"]),
        fit_score=float(row["fit"]),
        behaviour_score=float(row["behaviour"]),
        engagement_points=float(row["points"]),
        conversion_probability=float(row["probability"]),
        combined_score=float(row["combined"]),
        rank=rank,
        reasons=_reasons(row, factors),
        converted_account_id=_text(row["converted_account_id"]),
    )


def _model_info(model: ConversionModel) -> LeadModelInfo:
    trained = model.estimator is not None
    return LeadModelInfo(
        method="logistic_regression" if trained else "base_rate",
        labelled_leads=model.n_labelled,
        converted_leads=model.n_converted,
        base_rate=round(model.base_rate, 4),
        combination=(
            "0.25 fit + 0.25 behaviour + 0.5 × 100 × probability"
            if trained
            else "0.5 fit + 0.5 behaviour (too few labelled leads for a model)"
        ),
    )


class LeadRanking(BaseModel):
    """Leads ranked by combined score, with their scores and reasons."""

    as_of: dt.date = Field(description="Analysis date.")
    statuses: list[LeadStatus] = Field(description="The lead statuses ranked.")
    total_leads: int = Field(description="Leads with those statuses (the list is limited).")
    leads: list[ScoredLead] = Field(description="Best first.")
    model: LeadModelInfo = Field(description="How conversion probabilities were obtained.")


@tool
def score_leads(
    ctx: ToolContext, *, status: LeadStatus | None = None, limit: int = 20
) -> LeadRanking:
    """Rank leads by fit, engagement and predicted conversion, with reasons.

    Use for "which leads should we call first", "best new leads", "hottest leads".

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        status: Only leads with this status; default the open ones (new, contacted,
            qualified).
        limit: How many leads to return (1-100).
    """
    if not 1 <= limit <= 100:
        raise InvalidArgument(f"limit must be between 1 and 100, got {limit}")
    scored, model = score_frame(ctx)
    chosen = scored[scored["status"].isin(_statuses(status))]
    top = chosen.head(limit)
    factors = model.factors(top)
    return LeadRanking(
        as_of=ctx.as_of,
        statuses=list(_statuses(status)),
        total_leads=len(chosen),
        leads=[
            _scored_lead(str(id_), row, rank, factors[rank - 1])
            for rank, (id_, row) in enumerate(top.iterrows(), start=1)
        ],
        model=_model_info(model),
    )


class LeadScore(ScoredLead):
    """One lead's scores, its rank among leads of the same kind, and the model used."""

    as_of: dt.date = Field(description="Analysis date.")
    out_of: int = Field(description="Leads ranked with it (open leads, or its status).")
    model: LeadModelInfo = Field(description="How the conversion probability was obtained.")


@tool
def lead_score(ctx: ToolContext, *, lead_id: str) -> LeadScore:
    """Score one lead: ideal-customer fit, engagement, conversion probability, and why.

    Use for "how good is this lead", "why is lead X ranked high".

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        lead_id: The lead id.
    """
    scored, model = score_frame(ctx)
    if lead_id not in scored.index:
        raise NotFound("lead", lead_id)
    status = str(scored.at[lead_id, "status"])
    peers = scored[scored["status"].isin(_statuses(None if status in OPEN_STATUSES else status))]
    position = peers.index.tolist().index(lead_id)
    row, rank = peers.iloc[position], position + 1
    lead = _scored_lead(lead_id, row, rank, model.factors(peers.loc[[lead_id]])[0])
    return LeadScore(
        **lead.model_dump(), as_of=ctx.as_of, out_of=len(peers), model=_model_info(model)
    )
