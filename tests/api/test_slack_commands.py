"""Slash commands: an immediate ack, then the answer through the response URL."""

from __future__ import annotations

import json

import pytest
from slack_world import SlackWorld, slack_fixture  # noqa: F401  (the `slack` fixture)

from api.slack.callers import REFUSAL
from api.slack.commands import UsageError, question_for


@pytest.mark.parametrize(
    ("command", "text", "question"),
    [
        ("/deal-review", "Acme  renewal", "Review the deal Acme renewal"),
        ("/account", "Acme", "Give me the account summary of Acme"),
        ("/pipeline", "", "Show my open pipeline by stage"),
        ("/pipeline", "me", "Show my open pipeline by stage"),
        ("/pipeline", "Team", "Show my team's open pipeline by stage"),
        ("/pipeline", "Rita Rep", "Show the open pipeline by stage of Rita Rep"),
        ("/next-actions", "", "What are my next best actions?"),
        ("/next-actions", "Acme", "What are the next best actions for Acme?"),
    ],
)
def test_each_slash_command_becomes_a_question(command: str, text: str, question: str) -> None:
    assert question_for(command, text) == question


def test_a_command_missing_its_argument_gets_its_usage_line() -> None:
    with pytest.raises(UsageError, match="/deal-review <deal name or id>"):
        question_for("/deal-review", "  ")


def test_pipeline_acks_at_once_and_answers_through_the_response_url(slack: SlackWorld) -> None:
    ack = slack.command("/pipeline", "me", "U_RITA", response="r1")
    assert ack.status_code == 200
    assert ack.text.startswith("Working on it…")
    (reply,) = slack.stub.wait_for("/response/r1")
    assert reply.params["response_type"] == "ephemeral"
    assert "EUR 120,000.00" in json.dumps(reply.params["blocks"])
    assert "EUR 90,000.00" in reply.params["text"]


def test_a_command_without_its_argument_is_answered_by_the_ack_alone(slack: SlackWorld) -> None:
    ack = slack.command("/deal-review", "", "U_RITA", response="r2")
    assert "Usage: `/deal-review <deal name or id>`" in ack.text
    slack.command("/pipeline", "", "U_RITA", response="r3")
    slack.stub.wait_for("/response/r3")
    assert slack.stub.called("/response/r2") == []


def test_an_unmapped_user_running_a_command_is_refused(slack: SlackWorld) -> None:
    slack.command("/pipeline", "team", "U_NOBODY", response="r4")
    (reply,) = slack.stub.wait_for("/response/r4")
    assert reply.params["text"] == REFUSAL
