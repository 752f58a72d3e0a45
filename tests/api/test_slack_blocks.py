"""Block Kit rendering from typed results, and the clamp to Slack's limits."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from builders_api import build_world
from builders_deals import AS_OF
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.slack.blocks import answer_message, trace_blocks, trace_value
from api.slack.charts import funnel_png
from api.slack.kit import mrkdwn
from assistant.answer import Answer, ToolCallRecord
from tools.context import ToolContext
from tools.deals import deal_review
from tools.pipeline import PipelineByStage, StageRow


def call(
    name: str, result: dict[str, Any] | None, args: dict[str, Any] | None = None
) -> ToolCallRecord:
    return ToolCallRecord(name=name, args=args or {}, result=result, duration_ms=12.4)


def answer(text: str, calls: list[ToolCallRecord]) -> Answer:
    return Answer(text=text, planner="offline", tool_calls=calls, thread_id="t" * 32)


def fields_of(blocks: list[dict[str, Any]]) -> list[str]:
    return [f["text"] for b in blocks for f in b.get("fields", [])]


PIPELINE = PipelineByStage(
    as_of=AS_OF, currency="EUR", total_count=3, total_amount=160_000.0,
    total_weighted_amount=110_000.0,
    stages=[
        StageRow(stage="Proposal", probability=0.5, count=1, amount=40_000.0,
                 weighted_amount=20_000.0, average_age_days=30.0, opportunity_ids=["O2"]),
        StageRow(stage="Negotiation", probability=0.75, count=2, amount=120_000.0,
                 weighted_amount=90_000.0, average_age_days=90.0, opportunity_ids=["O1", "O4"]),
    ],
)  # fmt: skip


def test_a_deal_review_shows_the_deals_figures_as_fields(engine: Engine) -> None:
    build_world(engine)
    with Session(engine) as session:
        review = deal_review(ToolContext.for_user(session, "rep1", AS_OF), opportunity_id="O1")
    message = answer_message(
        answer("Acme renewal looks fine.", [call("deal_review", review.model_dump(mode="json"))]),
        AS_OF,
    )
    header = message.blocks[0]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Deal review: Acme renewal", "emoji": True},
    }
    fields = fields_of(message.blocks)
    assert "*Amount*\nEUR 120,000.00" in fields
    assert f"*Stage*\nNegotiation ({review.deal.days_in_stage} days)" in fields
    assert f"*Health*\n{review.health.score}/100" in fields
    assert message.blocks[-2] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "as of 2026-06-30 · computed by deal_review"}],
    }
    assert message.text == "Acme renewal looks fine."


def test_the_pipeline_shows_one_field_per_stage_and_the_totals() -> None:
    message = answer_message(
        answer("ok", [call("pipeline_by_stage", PIPELINE.model_dump(mode="json"))]), AS_OF
    )
    assert fields_of(message.blocks) == [
        "*Proposal* (50%)\n1 deal(s) · EUR 40,000.00\nweighted EUR 20,000.00",
        "*Negotiation* (75%)\n2 deal(s) · EUR 120,000.00\nweighted EUR 90,000.00",
    ]
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert "*Open pipeline:* EUR 160,000.00 in 3 deal(s) · weighted EUR 110,000.00" in text
    assert "Deals: `O2`, `O1`, `O4`" in text


def test_a_long_answer_is_clamped_within_block_kit_limits() -> None:
    huge = PIPELINE.model_copy(
        update={"stages": [PIPELINE.stages[0].model_copy(update={"stage": "S" * 3000})] * 14}
    )
    calls = [call("pipeline_by_stage", huge.model_dump(mode="json"), {"team": "x" * 900})] * 30
    message = answer_message(answer("# " + "word " * 9000, calls), AS_OF)
    blocks = message.blocks
    assert len(blocks) == 50
    assert blocks[-2]["type"] == "context" and blocks[-1]["type"] == "actions"
    assert "left out" in blocks[-3]["elements"][0]["text"]
    assert len(blocks[0]["text"]["text"]) <= 150
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
    assert len(blocks[-1]["elements"][0]["value"]) <= 2000
    assert 0 < len(message.text) <= 4000


def test_markdown_becomes_slack_mrkdwn_with_escaped_angle_brackets() -> None:
    assert mrkdwn("## Risks\n**EUR 5** <b> & [docs](https://x.io/a)") == (
        "*Risks*\n*EUR 5* &lt;b&gt; &amp; <https://x.io/a|docs>"
    )


def test_the_trace_in_the_button_value_reads_back_as_the_tool_calls() -> None:
    calls = [call("find_account", {}, {"query": "Acme"}), call("account_360", None)]
    calls[1].error = "not found or not yours"
    (title, body) = trace_blocks(trace_value(calls))
    assert title["text"]["text"] == "*Tool trace*"
    assert body["text"]["text"] == (
        '• `find_account` `{"query": "Acme"}` · 12 ms\n'
        "• `account_360` `{}` · 12 ms\n   error: not found or not yours"
    )


def test_the_funnel_chart_is_a_png() -> None:
    assert funnel_png(PIPELINE)[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_answer_without_tools_has_no_details_button() -> None:
    message = answer_message(answer("Hello!", []), dt.date(2026, 11, 22))
    assert [b["type"] for b in message.blocks] == ["header", "section", "context"]
    assert message.blocks[-1]["elements"][0]["text"] == "as of 2026-11-22 · computed by no tools"
