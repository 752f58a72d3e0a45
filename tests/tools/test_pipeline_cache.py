"""Cache names of scoped queries (tools.pipeline_cache.query_key)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from crm.models import Opportunity
from tools.pipeline_cache import query_key


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
