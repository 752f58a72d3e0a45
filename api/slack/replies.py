"""The work behind a Slack question, run in Bolt's lazy listeners (after the ack).

:class:`Replier` maps the Slack user to a CRM user, shows that it is working (an
hourglass reaction on the question), asks the assistant in the Slack thread's assistant
thread, and replies in the Slack thread with Block Kit (plus a chart where a picture
says it better). Failures are logged with the traceback and answered with a short
apology; an unmapped user gets a polite refusal and no data.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from api.slack.blocks import Message, answer_message, plain_message
from api.slack.callers import REFUSAL, crm_user_for
from api.slack.charts import charts_for
from api.slack.dedupe import KEEP, first_delivery, forget_before
from api.slack.threads import assistant_thread, thread_key
from assistant.answer import Answer
from assistant.service import Assistant
from crm.scope import UnknownUser

log = logging.getLogger(__name__)

WORKING = "hourglass_flowing_sand"
APOLOGY = "Sorry, something went wrong while answering that. It has been logged; please try again."
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def question_text(text: str) -> str:
    """The question without ``<@U123>`` mentions of the bot (or anyone)."""
    return " ".join(_MENTION.sub(" ", text).split())


@dataclass(frozen=True)
class Place:
    """Where a question was asked: workspace, channel, the message and its thread."""

    team: str
    channel: str
    ts: str
    thread_ts: str


@dataclass(frozen=True)
class Replier:
    """Answers Slack questions with the assistant, in the caller's scope."""

    engine: Engine
    assistant: Assistant

    def answer_in_thread(
        self, client: WebClient, slack_user: str, place: Place, text: str, event_id: str
    ) -> None:
        """Answer a mention or DM in its thread, once per event id (replies are follow-ups)."""
        if event_id and not first_delivery(self.engine, event_id):
            log.info("slack event %s already received; dropping the repeat", event_id)
            return
        _react(client, "reactions_add", place)
        try:
            caller = crm_user_for(self.engine, client, slack_user)
            if caller is None:
                return self._post(client, place, plain_message(REFUSAL))
            key = thread_key(place.team, place.channel, place.thread_ts, caller)
            thread_id = assistant_thread(self.engine, key, caller)
            answer = self._ask(question_text(text), caller, thread_id)
            if answer is None:
                return self._post(client, place, plain_message(REFUSAL))
            self._post(client, place, answer_message(answer, self._as_of()))
            self._attach_charts(client, place, answer)
        except Exception:
            log.exception("answering Slack message %s in %s failed", place.ts, place.channel)
            self._post(client, place, plain_message(APOLOGY))
        finally:
            _react(client, "reactions_remove", place)
            forget_before(self.engine, dt.datetime.now(dt.UTC) - KEEP)

    def answer_command(
        self, client: WebClient, slack_user: str, question: str, respond: Callable[..., Any]
    ) -> None:
        """Answer a slash command through its response URL (visible to the caller only)."""
        try:
            caller = crm_user_for(self.engine, client, slack_user)
            answer = self._ask(question, caller, None) if caller else None
            message = answer_message(answer, self._as_of()) if answer else plain_message(REFUSAL)
        except Exception:
            log.exception("answering slash command %r failed", question)
            message = plain_message(APOLOGY)
        respond(response_type="ephemeral", **message.payload())

    def _ask(self, question: str, caller: str, thread_id: str | None) -> Answer | None:
        try:
            return self.assistant.ask(question, caller=caller, thread_id=thread_id)
        except UnknownUser:  # mapped user removed from the CRM meanwhile
            return None

    def _as_of(self) -> dt.date:
        return self.assistant.settings.analysis_date()

    def _post(self, client: WebClient, place: Place, message: Message) -> None:
        client.chat_postMessage(
            channel=place.channel, thread_ts=place.thread_ts, **message.payload()
        )

    def _attach_charts(self, client: WebClient, place: Place, answer: Answer) -> None:
        try:
            for filename, png in charts_for(answer.tool_calls):
                client.files_upload_v2(
                    channel=place.channel, thread_ts=place.thread_ts, file=png, filename=filename,
                    title=filename.removesuffix(".png").replace("_", " "),
                )  # fmt: skip
        except Exception:  # the answer is posted already: a missing chart is no failure
            log.warning("attaching a chart in %s failed", place.channel, exc_info=True)


def _react(client: WebClient, method: str, place: Place) -> None:
    try:
        getattr(client, method)(channel=place.channel, timestamp=place.ts, name=WORKING)
    except SlackApiError as exc:  # already_reacted, no_reaction, missing scope: not fatal
        log.info("%s failed: %s", method, exc.response.get("error"))
