"""Thin Bolt listeners: ack at once, do the work in lazy listeners (threads).

Mentions and direct messages are answered in their thread by :class:`Replier`; slash
commands ack within Slack's 3 seconds with a "Working on it…" note (or their usage
line) and answer through the response URL; the "Show details" button reveals the tool
trace in place.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from api.slack.blocks import SHOW_DETAILS, trace_blocks
from api.slack.commands import COMMANDS, UsageError, question_for
from api.slack.kit import clamp
from api.slack.replies import Place, Replier


def register(app: App, replier: Replier) -> None:
    """Attach every listener of the Dealwise Slack app to ``app``."""

    def ack_now(ack: Ack) -> None:
        ack()

    def on_event(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        place = Place(
            team=str(body.get("team_id", "")),
            channel=event["channel"],
            ts=event["ts"],
            thread_ts=event.get("thread_ts") or event["ts"],
        )
        event_id = str(body.get("event_id", ""))
        replier.answer_in_thread(client, event["user"], place, event.get("text", ""), event_id)

    def ack_command(ack: Ack, command: dict[str, Any]) -> None:
        try:
            question_for(command["command"], command.get("text", ""))
        except UsageError as exc:
            ack(text=str(exc))
            return
        ack(text=f"Working on it… `{command['command']} {command.get('text', '')}`".strip())

    def on_command(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        try:
            question = question_for(command["command"], command.get("text", ""))
        except UsageError:
            return  # the ack showed the usage line
        replier.answer_command(client, command["user_id"], question, respond)

    app.event("app_mention")(ack=ack_now, lazy=[on_event])
    app.event("message", matchers=[_is_human_dm])(ack=ack_now, lazy=[on_event])
    for name in COMMANDS:
        app.command(name)(ack=ack_command, lazy=[on_command])
    app.action(SHOW_DETAILS)(ack=ack_now, lazy=[show_details])


def _is_human_dm(event: dict[str, Any]) -> bool:
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def show_details(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
    """Replace the "Show details" button with the tool trace (or send it, for ephemerals)."""
    trace = trace_blocks(action["value"])
    message = body.get("message")
    if not message:
        respond(response_type="ephemeral", replace_original=False, text="Tool trace", blocks=trace)
        return
    kept = [b for b in message.get("blocks", []) if b.get("type") != "actions"]
    respond(replace_original=True, text=message.get("text", ""), blocks=clamp([*kept, *trace]))
