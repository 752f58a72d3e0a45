"""Mentions and DMs through the real FastAPI app: signed requests in, a stub Slack out."""

from __future__ import annotations

import json
from typing import Any

from slack_world import SlackWorld, slack_fixture  # noqa: F401  (the `slack` fixture)
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from api.slack.callers import REFUSAL
from api.slack.threads import thread_key
from assistant.runtime import context_for
from crm.models import ConversationTurn
from tools.pipeline import PipelineByStage, pipeline_by_stage


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """Every text of a message's blocks, joined (to look for figures)."""
    return json.dumps(blocks, ensure_ascii=False)


def pipeline_of(world: SlackWorld, user: str) -> PipelineByStage:
    """The pipeline tool's result for ``user``, called directly."""
    with Session(world.engine) as session:
        return pipeline_by_stage(context_for(session, user, world.settings))


def turns_in(engine: Engine, thread_id: str) -> int:
    """How many turns the assistant stored in ``thread_id``."""
    with Session(engine) as session:
        query = select(func.count()).where(col(ConversationTurn.thread_id) == thread_id)
        return int(session.exec(query).one())


def test_a_mention_is_answered_in_its_thread_with_the_figures_of_the_tool(
    slack: SlackWorld,
) -> None:
    response = slack.mention("U_RITA", "how is my pipeline?", ts="100.000100", event_id="Ev1")
    assert response.status_code == 200
    (post,) = slack.stub.wait_for("chat.postMessage")
    expected = pipeline_of(slack, "rep1")
    assert (post.params["channel"], post.params["thread_ts"]) == ("C1", "100.000100")
    shown = blocks_text(post.params["blocks"])
    assert f"EUR {expected.total_amount:,.2f}" == "EUR 120,000.00"
    assert "EUR 120,000.00" in shown
    assert f"EUR {expected.total_weighted_amount:,.2f}" == "EUR 90,000.00"
    assert "EUR 90,000.00" in shown
    assert "120,000.00" in post.params["text"]  # the plain-text fallback
    assert "as of 2026-06-30 · computed by pipeline_by_stage" in shown


def test_it_shows_it_is_working_and_attaches_the_funnel_to_the_thread(slack: SlackWorld) -> None:
    slack.mention("U_RITA", "pipeline please", ts="101.000100", event_id="Ev2")
    (added,) = slack.stub.wait_for("reactions.add")
    assert (added.params["timestamp"], added.params["name"]) == (
        "101.000100",
        "hourglass_flowing_sand",
    )
    (upload,) = slack.stub.wait_for("/upload/F1")
    assert upload.params["png"] is True
    (done,) = slack.stub.wait_for("files.completeUploadExternal")
    assert done.params["thread_ts"] == "101.000100"
    slack.stub.wait_for("reactions.remove")


def test_a_retry_of_the_same_event_is_answered_exactly_once(slack: SlackWorld) -> None:
    slack.mention("U_RITA", "pipeline?", ts="102.000100", event_id="EvRetry")
    slack.stub.wait_for("reactions.remove")
    retry = slack.event(
        {"type": "app_mention", "user": "U_RITA", "text": "<@UBOT> pipeline?", "ts": "102.000100",
         "channel": "C1"},
        "EvRetry",
        **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )  # fmt: skip
    assert retry.status_code == 200
    slack.mention("U_RITA", "and again?", ts="103.000100", event_id="EvNext")
    slack.stub.wait_for("reactions.remove", count=2)
    posts = slack.stub.called("chat.postMessage")
    assert [p.params["thread_ts"] for p in posts] == ["102.000100", "103.000100"]


def test_a_request_with_a_bad_signature_is_rejected_with_401(slack: SlackWorld) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "EvBad", "event": {}})
    response = slack.client.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": "1",
                 "X-Slack-Signature": "v0=" + "0" * 64},
    )  # fmt: skip
    assert response.status_code == 401
    assert slack.stub.called("chat.postMessage") == []


def test_an_unmapped_slack_user_is_refused_politely_and_sees_no_data(slack: SlackWorld) -> None:
    slack.mention("U_NOBODY", "show me every pipeline", ts="104.000100", event_id="Ev4")
    (post,) = slack.stub.wait_for("chat.postMessage")
    assert post.params["text"] == REFUSAL
    assert "EUR" not in blocks_text(post.params["blocks"])
    assert post.params["thread_ts"] == "104.000100"


def test_a_user_without_slack_id_is_mapped_by_the_email_of_the_slack_profile(
    slack: SlackWorld,
) -> None:
    slack.mention("U_ROLF", "my pipeline?", ts="105.000100", event_id="Ev5")
    (post,) = slack.stub.wait_for("chat.postMessage")
    expected = pipeline_of(slack, "rep2")
    shown = blocks_text(post.params["blocks"])
    assert f"EUR {expected.total_amount:,.2f}" == "EUR 40,000.00"
    assert "EUR 40,000.00" in shown
    assert "120,000" not in shown  # rep1's figures stay out of rep2's answer


def test_a_reply_in_the_slack_thread_continues_the_same_assistant_thread(
    slack: SlackWorld,
) -> None:
    slack.mention("U_RITA", "my pipeline?", ts="106.000100", event_id="Ev6")
    slack.stub.wait_for("reactions.remove")
    slack.mention("U_RITA", "and now?", ts="106.000200", event_id="Ev7", thread_ts="106.000100")
    slack.stub.wait_for("reactions.remove", count=2)
    posts = slack.stub.called("chat.postMessage")
    assert [p.params["thread_ts"] for p in posts] == ["106.000100", "106.000100"]
    assert turns_in(slack.engine, thread_key("T1", "C1", "106.000100", "rep1")) == 2


def test_a_direct_message_is_answered_and_bot_messages_are_ignored(slack: SlackWorld) -> None:
    dm = {"type": "message", "channel": "D1", "channel_type": "im"}
    slack.event({**dm, "user": "U_RITA", "bot_id": "B9", "text": "echo", "ts": "107.1"}, "Ev8")
    slack.event({**dm, "user": "U_RITA", "text": "my pipeline?", "ts": "107.2"}, "Ev9")
    slack.stub.wait_for("reactions.remove")
    (post,) = slack.stub.called("chat.postMessage")
    assert (post.params["channel"], post.params["thread_ts"]) == ("D1", "107.2")


def test_show_details_replaces_the_button_with_the_tool_trace(slack: SlackWorld) -> None:
    slack.mention("U_RITA", "my pipeline?", ts="108.000100", event_id="Ev10")
    (post,) = slack.stub.wait_for("chat.postMessage")
    blocks = post.params["blocks"]
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    response = slack.interaction(
        {
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_RITA"},
            "api_app_id": "A1", "token": "legacy", "trigger_id": "1.2.3",
            "container": {"type": "message", "channel_id": "C1", "message_ts": "108.5"},
            "channel": {"id": "C1"}, "response_url": f"{slack.stub.root}/response/details",
            "message": {"type": "message", "ts": "108.5", "text": post.params["text"],
                        "blocks": blocks},
            "actions": [{**button, "block_id": "details", "action_ts": "108.6"}],
        }
    )  # fmt: skip
    assert response.status_code == 200
    (update,) = slack.stub.wait_for("/response/details")
    assert update.params["replace_original"] is True
    new_blocks = update.params["blocks"]
    assert all(b["type"] != "actions" for b in new_blocks)
    assert "`pipeline_by_stage` `{}`" in blocks_text(new_blocks)
    assert "EUR 90,000.00" in blocks_text(new_blocks)  # the figures stay
