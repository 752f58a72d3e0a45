"""Cache names of scoped queries (tools.pipeline_cache.query_key) and frame eviction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

import tools.pipeline_cache
from crm.models import Opportunity
from crm.scope import Scope
from tools.context import ToolContext
from tools.pipeline_cache import MAX_FRAMES, QueryKey, cached, query_key


def _deals_of(owner: str, ids: list[str]) -> object:
    return select(col(Opportunity.id)).where(
        col(Opportunity.owner_id) == owner, col(Opportunity.id).in_(ids)
    )


def test_the_same_query_built_twice_has_the_same_name() -> None:
    assert query_key(_deals_of("rep1", ["O1", "O2"])) == query_key(_deals_of("rep1", ["O1", "O2"]))


def test_queries_differing_only_in_bound_values_have_different_names() -> None:
    names = {
        query_key(_deals_of("rep1", ["O1"])),
        query_key(_deals_of("rep2", ["O1"])),
        query_key(_deals_of("rep1", ["O2"])),
        query_key(_deals_of("rep1", ["O1", "O2"])),
    }
    assert len(names) == 4


def test_queries_of_different_shapes_have_different_names() -> None:
    by_owner = select(col(Opportunity.id)).where(col(Opportunity.owner_id) == "rep1")
    by_account = select(col(Opportunity.id)).where(col(Opportunity.account_id) == "rep1")
    assert query_key(by_owner) != query_key(by_account)


@pytest.fixture
def ctx(engine: Engine) -> Iterator[ToolContext]:
    with Session(engine) as session:
        yield ToolContext(session=session, scope=Scope.everything(), as_of=dt.date(2026, 6, 30))


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"x": np.zeros(rows)})  # 8 bytes a row, plus a small index


def _fill(ctx: ToolContext, name: str, rows: int, calls: list[str]) -> pd.DataFrame:
    def compute() -> pd.DataFrame:
        calls.append(name)
        return _frame(rows)

    return cached(ctx, QueryKey(name), compute)


def test_many_small_frames_do_not_push_out_a_big_one(ctx: ToolContext) -> None:
    calls: list[str] = []
    big = _fill(ctx, "company", 1_000_000, calls)
    for i in range(MAX_FRAMES - 1):
        _fill(ctx, f"deal {i}", 1, calls)
    assert _fill(ctx, "company", 1_000_000, calls) is big
    assert calls.count("company") == 1


def test_frames_over_the_byte_budget_evict_the_least_recently_used(
    ctx: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tools.pipeline_cache, "MAX_FRAME_BYTES", 2_500_000)
    calls: list[str] = []
    for name in ("a", "b", "a", "c"):  # 1 MB each: c pushes out b, the least recently used
        _fill(ctx, name, 125_000, calls)
    for name in ("a", "c", "b"):
        _fill(ctx, name, 125_000, calls)
    assert calls == ["a", "b", "c", "b"]


def test_a_frame_bigger_than_the_budget_is_still_kept_alone(
    ctx: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tools.pipeline_cache, "MAX_FRAME_BYTES", 1_000)
    calls: list[str] = []
    first = _fill(ctx, "huge", 10_000, calls)
    assert _fill(ctx, "huge", 10_000, calls) is first
    _fill(ctx, "next", 10_000, calls)
    _fill(ctx, "huge", 10_000, calls)
    assert calls == ["huge", "next", "huge"]
