"""Regression tests for reported defects of the offline planner, on the demo world."""

from __future__ import annotations

import pytest
from builders_offline import Conversation, tools_of
from sqlalchemy.engine import Engine

from assistant.offline.spelling import fix_period_units, fix_typos

IVORY_DINING_DEAL = "Ivory Dining Inc. - Insight Platform Professional"  # OPP-00310, rep06's


def test_a_manager_naming_a_deal_outside_the_team_hears_not_in_your_book(
    demo_world: Engine,
) -> None:
    out = Conversation(demo_world, "mgr01").ask(f"review the {IVORY_DINING_DEAL} deal")
    assert out.tool_calls == []
    assert "not in your book" in out.text
    for leak in ("OPP-00310", "Ivory Capital", "Chris Bennett", "180"):
        assert leak not in out.text


def test_a_name_matching_an_outside_account_better_than_the_callers_is_not_in_the_book(
    demo_world: Engine,
) -> None:
    out = Conversation(demo_world, "rep03").ask("how is Maple Logistics doing")
    assert tools_of(out) == ["find_account"]
    assert "**Maple Logistics** is not in your book" in out.text
    assert "Maple Resorts" not in out.text and "ACC-00069" not in out.text


def test_a_callers_account_starting_with_the_typed_words_is_kept(demo_world: Engine) -> None:
    out = Conversation(demo_world, "rep01").ask("review the Vertex Finance deal")
    assert tools_of(out) == ["deal_review", "power_map", "next_best_actions"]
    assert out.tool_calls[0].args == {"opportunity_id": "OPP-00250"}


def test_reviewing_a_deal_by_its_full_name_finds_it_like_its_id(demo_world: Engine) -> None:
    by_name = Conversation(demo_world, "rep06").ask(f"Review the deal {IVORY_DINING_DEAL}")
    by_id = Conversation(demo_world, "rep06").ask("Review the deal OPP-00310")
    assert tools_of(by_name) == tools_of(by_id) == ["deal_review", "power_map", "next_best_actions"]
    assert by_name.tool_calls[0].args == by_id.tool_calls[0].args == {"opportunity_id": "OPP-00310"}


def test_a_deal_is_found_by_its_account_even_when_the_account_is_someone_elses(
    demo_world: Engine,
) -> None:
    out = Conversation(demo_world, "rep03").ask("odds of winning Larkspur Partners")
    assert tools_of(out) == ["win_probability"]
    assert out.tool_calls[0].args == {"opportunity_id": "OPP-00295"}


@pytest.mark.parametrize(
    "question", ["how is my team doing this year?", "how are my reps doing this year?"]
)
def test_a_manager_asking_how_the_team_does_gets_rep_performance(
    demo_world: Engine, question: str
) -> None:
    out = Conversation(demo_world, "mgr01").ask(question)
    assert tools_of(out) == ["rep_performance"]
    assert out.tool_calls[0].args == {"start": "2026-01-01", "end": "2026-12-31"}


def test_a_rep_asking_for_the_teams_pipeline_is_told_it_is_their_own(demo_world: Engine) -> None:
    rep = Conversation(demo_world, "rep01").ask("Show my team's open pipeline by stage")
    manager = Conversation(demo_world, "mgr01").ask("Show my team's open pipeline by stage")
    assert tools_of(rep) == tools_of(manager) == ["pipeline_by_stage"]
    assert rep.text.startswith("Your pipeline (you see your own deals):")
    assert not manager.text.startswith("Your pipeline")


def test_misspelt_intent_and_period_words_are_understood(demo_world: Engine) -> None:
    out = Conversation(demo_world, "rep01").ask("forcast this quartr")
    assert tools_of(out) == ["forecast"]
    assert out.tool_calls[0].args == {"period": "this quarter"}


def test_typo_fixing_leaves_known_short_and_ambiguous_words_alone() -> None:
    known = {"forecast", "pipeline", "deals", "details"}
    assert fix_typos("forcast my pipline", known) == "forecast my pipeline"
    assert fix_typos("deals deal nexta", known) == "deals deal nexta"
    assert fix_period_units("nexta labs this quartr") == "nexta labs this quarter"
    assert fix_period_units("last 30 dyas quarterly") == "last 30 dyas quarterly"
