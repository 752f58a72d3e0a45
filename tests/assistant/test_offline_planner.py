"""The offline planner end to end on the demo world: routing, grounding, follow-ups, help."""

from __future__ import annotations

import pytest
from builders_offline import Conversation, tools_of, ungrounded_in
from sqlalchemy.engine import Engine

from assistant.offline.intents import classify
from tools.catalog import load_catalog

QUESTIONS = [
    ("rep01", "How is Lakeside Markets doing?", ["account_360"]),
    ("rep01", "what's the RFM score of Maple Logistics?", ["account_rfm"]),
    ("rep01", "show the corporate group of Evergreen Group", ["customer_tree"]),
    ("rep01", "which of my customers are at risk?", ["rfm_segment_accounts"]),
    ("rep01", "how does my book split by rfm segment?", ["rfm_segment_distribution"]),
    ("rep01", "what is Ivory Beverages worth?", ["account_clv"]),
    ("rep01", "who are my most valuable customers?", ["top_clv_accounts"]),
    ("mgr01", "retention rate last quarter", ["value_metrics"]),
    ("mgr01", "pipeline for Julien", ["pipeline_by_stage"]),
    ("mgr01", "show the sales funnel last quarter", ["funnel_conversion"]),
    ("mgr01", "rank my reps by won revenue", ["rep_performance"]),
    ("mgr01", "what's our sales cycle length", ["sales_velocity"]),
    ("rep01", "which deals are stalled?", ["stalled_deals"]),
    ("rep01", "which deals slipped?", ["slipped_deals"]),
    ("rep01", "what's my forecast this quarter?", ["forecast"]),
    ("rep01", "win probability of the Lakeside Markets deal", ["win_probability"]),
    ("rep01", "how healthy is the Trident Software deal?", ["deal_health"]),
    ("rep01", "who decides at Lakeside Markets?", ["power_map"]),
    ("rep01", "what does Lakeside Markets prefer?", ["account_note_facts"]),
    ("rep01", "what does note ACT-01020 say", ["extract_note"]),
]


@pytest.mark.parametrize(("caller", "question", "tools"), QUESTIONS)
def test_a_question_is_routed_to_its_tool_and_every_figure_is_grounded(
    demo_world: Engine, caller: str, question: str, tools: list[str]
) -> None:
    out = Conversation(demo_world, caller).ask(question)
    assert tools_of(out) == tools
    assert all(call.error is None for call in out.tool_calls)
    assert ungrounded_in(question, out) == []


def test_an_account_summary_lists_the_accounts_figures_for_humans(demo_world: Engine) -> None:
    out = Conversation(demo_world, "rep01").ask("How is Lakeside Markets doing?")
    # Orders total EUR 183,153 (28 orders) in the demo world: shown as €183.2k.
    assert "**Lakeside Markets SAS**" in out.text
    assert "€183.2k in total over 28 orders" in out.text


def test_reviewing_a_deal_runs_review_power_map_and_actions_and_merges_them(
    demo_world: Engine,
) -> None:
    question = "review the Trident Software deal"
    out = Conversation(demo_world, "rep01").ask(question)
    assert tools_of(out) == ["deal_review", "power_map", "next_best_actions"]
    assert {c.args["opportunity_id"] for c in out.tool_calls} == {"OPP-00285"}
    assert "**Who decides**" in out.text and "**What to do next**" in out.text
    assert ungrounded_in(question, out) == []
    assert out.focus["opportunity_id"] == "OPP-00285"
    assert out.focus["account_id"] == "ACC-00098"


def test_follow_ups_resolve_it_and_same_for_from_the_thread(demo_world: Engine) -> None:
    chat = Conversation(demo_world, "rep01")
    chat.ask("How is Maple Logistics doing?")
    about_it = chat.ask("what should I do about it?")
    assert tools_of(about_it) == ["next_best_actions"]
    assert about_it.tool_calls[0].args == {"account_id": "ACC-00069"}
    tree = chat.ask("and its subsidiaries?")
    assert tree.tool_calls[0].args == {"account_id": "ACC-00069"}

    boss = Conversation(demo_world, "mgr01")
    boss.ask("pipeline for Julien Rousseau")
    same = boss.ask("same for Michael")
    assert tools_of(same) == ["pipeline_by_stage"]
    assert same.tool_calls[0].args == {"owner_id": "rep05"}


def test_a_period_follow_up_keeps_the_team_in_focus(demo_world: Engine) -> None:
    chat = Conversation(demo_world, "mgr02")
    chat.ask("forecast for Team South this quarter")
    out = chat.ask("same for next quarter")
    assert out.tool_calls[0].args == {"team": "Team South", "period": "next quarter"}


def test_an_out_of_scope_question_gets_capabilities_and_examples_from_the_callers_data(
    demo_world: Engine,
) -> None:
    out = Conversation(demo_world, "rep01").ask("what's the weather in Paris?")
    assert out.tool_calls == []
    assert "I can help with" in out.text
    examples = [line for line in out.text.splitlines() if line.startswith("- ")]
    assert len(examples) == 3
    assert "Ivory Beverages" in examples[0]  # rep01's account with the most open deals


def test_equally_likely_deals_make_the_planner_ask_back(demo_world: Engine) -> None:
    out = Conversation(demo_world, "rep01").ask("review the Ivory Beverages deal")
    assert out.tool_calls == []
    assert out.text.startswith("Which deal do you mean:")
    assert "OPP-00303" in out.text and "OPP-00373" in out.text


def test_another_reps_account_is_not_in_your_book(demo_world: Engine) -> None:
    out = Conversation(demo_world, "rep01").ask("How is Clearview Group doing?")
    assert tools_of(out) == ["find_account"]
    assert "not in your book" in out.text
    assert "ACC-00001" not in out.text and "€" not in out.text


def test_another_reps_deal_by_id_is_not_in_your_book_and_stops_there(demo_world: Engine) -> None:
    out = Conversation(demo_world, "rep01").ask("review OPP-00248")
    assert tools_of(out) == ["deal_review"]
    assert out.tool_calls[0].error is not None
    assert "not in your book" in out.text


def test_the_same_question_gets_the_same_answer(demo_world: Engine) -> None:
    first = Conversation(demo_world, "mgr01").ask("team forecast")
    second = Conversation(demo_world, "mgr01").ask("team forecast")
    assert first.text == second.text


def test_every_example_intent_is_a_catalog_tool_or_a_no_tool_reply() -> None:
    from assistant.offline.intents import examples

    intents = {intent for intent, _ in examples()}
    assert intents - set(load_catalog()) == {"out_of_scope", "help"}


def test_an_unclear_question_is_below_the_confidence_threshold() -> None:
    from assistant.offline.intents import MIN_CONFIDENCE

    assert classify("purple elephants quantum").confidence < MIN_CONFIDENCE


def test_counts_agree_with_their_noun() -> None:
    from assistant.offline.compose.fmt import count

    assert [count(1, "deal"), count(0, "deal"), count(3, "stalled deal")] == [
        "1 deal",
        "0 deals",
        "3 stalled deals",
    ]
