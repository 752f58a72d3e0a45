from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

import tools.pipeline_cache
import tools.win_model
from crm.models import Opportunity
from tests.tools.builders_pipeline import World, stall_world
from tests.tools.builders_win import signal_world
from tools.context import ToolContext
from tools.errors import NotFound
from tools.pipeline import deal_timeline
from tools.pipeline_data import snapshot
from tools.win_explain import describe_factors
from tools.win_features import CATEGORICAL, NUMERIC, build_features, owner_track
from tools.win_model import (
    FAMILIES,
    REFERENCE_DEALS,
    Family,
    TooFewDeals,
    TrainedModel,
    make_estimator,
    trained_model,
    win_probability,
    won_probability,
)


@pytest.fixture
def small(engine: Engine) -> Iterator[World]:
    with Session(engine) as session:
        yield stall_world(session)


@pytest.fixture(scope="module")
def signal() -> Iterator[World]:
    from tests.conftest import sqlite_engine

    engine = sqlite_engine()
    with Session(engine) as session:
        yield signal_world(session)
    engine.dispose()


def test_with_few_closed_deals_it_says_so_and_uses_the_smoothed_stage_rate(small: World) -> None:
    result = win_probability(small.ctx(), opportunity_id="O1")
    assert result.model_used == "fallback" and result.closed_deals_used == 4
    assert result.probability == pytest.approx((3 + 2 * 0.5) / (3 + 2), abs=1e-4)  # Proposal
    assert "Only 4 closed deals" in result.calibration_note
    assert "3 of 3 closed deals that reached Proposal were won" in result.calibration_note


def test_a_closed_deal_reports_its_outcome(small: World) -> None:
    assert win_probability(small.ctx(), opportunity_id="W1").probability == 1.0
    assert win_probability(small.ctx(), opportunity_id="L1").model_used == "closed"


def test_another_reps_deal_is_not_found(small: World) -> None:
    with pytest.raises(NotFound):
        win_probability(small.ctx("rep1"), opportunity_id="O3")


def test_the_model_ranks_the_engaged_deal_above_the_quiet_one(signal: World) -> None:
    hot = win_probability(signal.ctx(), opportunity_id="HOT")
    cold = win_probability(signal.ctx(), opportunity_id="COLD")
    assert hot.model_used == cold.model_used == "model"
    assert hot.model_family in FAMILIES and hot.closed_deals_used == 120
    assert 0 <= cold.probability < hot.probability <= 1
    assert hot.holdout_brier is not None and hot.holdout_brier < 0.25  # better than a coin
    assert hot.holdout_auc is not None and hot.holdout_auc > 0.6


def test_the_quiet_deal_is_explained_by_its_silence(signal: World) -> None:
    cold = win_probability(signal.ctx(), opportunity_id="COLD")
    words = " ".join(f.text for f in cold.factors_down)
    assert "No activity for 70 days" in words or "1 activity logged" in words
    assert all(f.effect_pts < 0 for f in cold.factors_down)


def test_the_model_is_trained_once_per_data_and_as_of(signal: World) -> None:
    first = trained_model(signal.ctx())
    assert isinstance(first, TrainedModel)
    assert trained_model(signal.ctx("rep1")) is first  # learnt on the whole store


def test_many_per_deal_lookups_do_not_evict_the_fitted_model(
    signal: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    fits: list[ToolContext] = []
    train = tools.win_model.train

    def counted(ctx: ToolContext) -> TrainedModel | TooFewDeals:
        fits.append(ctx)
        return train(ctx)

    monkeypatch.setattr(tools.win_model, "train", counted)
    monkeypatch.setattr(tools.pipeline_cache, "MAX_FRAMES", 16)
    ctx = signal.ctx(as_of=dt.date(2026, 6, 29))  # an as_of no other test has fitted
    first = trained_model(ctx)
    for i in range(16 + 8):  # each deal's timeline is its own cached query frame
        deal_timeline(ctx, f"D{i:03d}")
    assert trained_model(ctx) is first
    assert len(fits) == 1


def _amount_vs_usual(w: World, ids: list[str]) -> list[float]:
    ctx = w.ctx()
    only: list[ColumnElement[bool]] = [col(Opportunity.id).in_(ids)]
    deals = snapshot(ctx, ("open",), only).sort_values("id").assign(t=20_000.0)
    closed = snapshot(ctx, ("won", "lost"), [])  # none: an empty track record
    track = owner_track(closed.assign(closed=closed["entered"], won=closed["outcome"] == "won"))
    return list(build_features(ctx, deals, only, track)["amount_vs_usual"])


def test_a_store_without_orders_or_earlier_deals_has_no_usual_amount(engine: Engine) -> None:
    with Session(engine) as session:
        w = World(session)
        w.user("admin", role="admin")
        w.user("rep1", team="A")
        w.account("ACC", "rep1")
        w.deal("X", "rep1", [("Prospecting", "2026-05-01")], account="ACC")
        w.deal("Y", "rep1", [("Prospecting", "2026-05-01")])  # no account at all
        assert _amount_vs_usual(w, ["X", "Y"]) == [0.0, 0.0]
        assert _amount_vs_usual(w, ["Y"]) == [0.0]


def test_amount_vs_usual_compares_with_the_accounts_earlier_deals(engine: Engine) -> None:
    with Session(engine) as session:
        w = World(session)
        w.user("admin", role="admin")
        w.user("rep1", team="A")
        w.account("ACC", "rep1")
        w.deal("EARLY", "rep1", [("Prospecting", "2026-01-01")], account="ACC", amount=1000)
        w.deal("LATE", "rep1", [("Prospecting", "2026-05-01")], account="ACC", amount=2000)
        assert _amount_vs_usual(w, ["EARLY", "LATE"]) == pytest.approx([0.0, np.log(2)])


def test_factors_read_as_sentences_with_points() -> None:
    row = pd.Series({"days_since_activity": 45.0, "champion_known": 1.0, "stage": "Proposal"})
    up, down = describe_factors(row, {"days_since_activity": -12.3, "champion_known": 4.0,
                                      "stage": 0.2})  # fmt: skip
    assert [f.text for f in down] == ["No activity for 45 days (-12 pts)"]
    assert [f.text for f in up] == ["Champion identified (+4 pts)"]


def _synthetic_model(family: Family) -> tuple[TrainedModel, pd.DataFrame]:
    """A model of ``family`` fitted on random features, and 30 rows to predict."""
    rng = np.random.default_rng(5)
    n = 400
    features = pd.DataFrame({name: rng.integers(0, 6, n).astype(float) for name in NUMERIC})
    features["owner_win_rate"] = rng.random(n)
    for name, values in (
        ("stage", ["Discovery", "Proposal", "Negotiation"]),
        ("product", ["P1", "P2"]),
        ("industry", ["Retail", "Food", "Tech"]),
    ):
        features[name] = rng.choice(values, n)  # fmt: skip
    won = (features["activities"] + rng.normal(0, 2, n) > 2.5).to_numpy()
    estimator = make_estimator(family).fit(features, won)
    reference = features.sample(REFERENCE_DEALS, random_state=0)
    model = TrainedModel(family, estimator, reference, n, {}, {}, pd.DataFrame())
    return model, features.sample(30, random_state=1)


@pytest.mark.parametrize("family", FAMILIES)
def test_fold_by_fold_probabilities_equal_predict_proba(family: Family) -> None:
    model, rows = _synthetic_model(family)
    rows.iloc[:3, rows.columns.get_loc("industry")] = ["Mining", "Retail", "Space"]  # unseen
    rows.iloc[4, rows.columns.get_loc("stage")] = "Closed Won"  # never in training
    expected = model.estimator.predict_proba(rows)[:, 1]
    np.testing.assert_array_equal(won_probability(model, rows), expected)
    np.testing.assert_array_equal(won_probability(model, rows), expected)  # cached tables


@pytest.mark.parametrize("family", FAMILIES)
def test_each_effect_is_the_mean_over_the_reference_deals_of_swapping_that_feature(
    family: Family,
) -> None:
    model, rows = _synthetic_model(family)
    deal = rows.iloc[[0]]
    p, effects = tools.win_model._ablate(model, deal)
    assert p == pytest.approx(model.estimator.predict_proba(deal)[0, 1], abs=1e-12)
    for name in NUMERIC + CATEGORICAL:  # the definition, one reference deal at a time
        swapped = pd.concat([deal] * REFERENCE_DEALS, ignore_index=True)
        swapped[name] = model.reference[name].to_numpy()
        mean = model.estimator.predict_proba(swapped)[:, 1].mean()
        assert effects[name] == pytest.approx(100 * (p - mean), abs=1e-9)


def test_ordinal_look_up_equals_the_encoders_transform_with_infrequent_and_unknown() -> None:
    from sklearn.preprocessing import OrdinalEncoder

    train = pd.DataFrame({"a": list("xxxxyyyzzw"), "b": list("ppqqrrsstt")})
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=-1, max_categories=3
    ).fit(train)
    rows = pd.DataFrame({"a": list("xywzvx"), "b": list("tqpzzs")})  # w rare; v, z unseen
    expected = encoder.transform(rows)
    np.testing.assert_array_equal(tools.win_model._ordinal(encoder, rows), expected)
