"""``assistant.ask``: the one entry point the API, Slack and the CLI go through.

An :class:`Assistant` is built from the settings and an engine. Per question it opens a
session, builds the caller's :class:`tools.context.ToolContext` (scope from the users
table), loads or starts the thread's memory, lets the planner answer, adds citations,
stores the turn in the thread and writes an audit row (also when the turn fails).

The planner is the LLM planner when ``DEALWISE_LLM_MODEL`` is set, else the offline
planner; when the LLM fails the offline planner answers and the answer carries a
one-line ``notice``. Nothing heavy is imported until it is needed: langchain only with
an LLM, and the notes index (Chroma, torch) only when a tool searches the notes.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import cache

from sqlalchemy.engine import Engine

from assistant.answer import Answer
from assistant.audit import TurnLog, write_audit
from assistant.citations import citations_for
from assistant.llm.errors import LLMFailure
from assistant.memory import open_thread, remember
from assistant.planner import Planner, PlannerOutput, Turn
from assistant.runtime import context_for, open_notes
from crm.db import session_scope
from crm.settings import Settings, get_settings
from tools.catalog import ToolSpec, load_catalog


class Assistant:
    """Answers questions for CRM users, with memory, citations and an audit trail."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        planner: Planner | None = None,
        offline: Planner | None = None,
        knowledge: object | None = None,
        catalog: Mapping[str, ToolSpec] | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self._planner = planner
        self._offline = offline
        self._knowledge = knowledge
        self._catalog = catalog

    @property
    def catalog(self) -> Mapping[str, ToolSpec]:
        """The tool catalog (loaded on first use)."""
        if self._catalog is None:
            self._catalog = load_catalog()
        return self._catalog

    @property
    def planner(self) -> Planner:
        """The LLM planner when a model is configured, else the offline planner."""
        if self._planner is None:
            self._planner = self._llm_planner() if self.settings.llm_model else self.offline
        return self._planner

    @property
    def offline(self) -> Planner:
        """The offline planner (the fallback of the LLM planner)."""
        if self._offline is None:
            from assistant.offline import OfflinePlanner

            self._offline = OfflinePlanner()
        return self._offline

    @property
    def knowledge(self) -> object | None:
        """The notes index handle; cheap: Chroma and the model open on the first search."""
        if self._knowledge is None:
            self._knowledge = open_notes(self.settings)
        return self._knowledge

    def _llm_planner(self) -> Planner:
        from assistant.llm.agent import LLMPlanner
        from assistant.llm.model import chat_model

        return LLMPlanner(
            chat_model(self.settings), max_tool_rounds=self.settings.llm_max_tool_rounds
        )

    def ask(self, question: str, *, caller: str, thread_id: str | None = None) -> Answer:
        """Answer ``question`` for CRM user ``caller``, continuing ``thread_id`` if given.

        Raises ``crm.scope.UnknownUser`` for an unknown caller and
        ``assistant.memory.UnknownThread`` for a thread that is missing or not the
        caller's; both are audited like every other turn.
        """
        start = time.perf_counter()
        log = TurnLog(caller_id=caller, question=question, thread_id=thread_id)
        try:
            return self._answer(question, caller, thread_id, log)
        except Exception as exc:
            log.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            write_audit(self.engine, log, (time.perf_counter() - start) * 1000)

    def _answer(self, question: str, caller: str, thread_id: str | None, log: TurnLog) -> Answer:
        with session_scope(self.engine) as session:
            ctx = context_for(session, caller, self.settings, knowledge=self.knowledge)
            memory = open_thread(session, thread_id, caller)
            log.thread_id = memory.thread_id
            turn = Turn(question=question, ctx=ctx, catalog=self.catalog, memory=memory)
            planner, output = self._plan(turn, log)
            log.planner, log.tool_calls, log.answer = planner.name, output.tool_calls, output.text
            remember(session, memory, caller, (question, output.text), output.focus)
        return Answer(
            text=output.text,
            planner=planner.name,
            tool_calls=output.tool_calls,
            citations=citations_for(output.tool_calls),
            thread_id=memory.thread_id,
            notice=log.notice,
        )

    def _plan(self, turn: Turn, log: TurnLog) -> tuple[Planner, PlannerOutput]:
        planner = self.planner
        try:
            return planner, planner.answer(turn)
        except LLMFailure as exc:
            log.notice = f"The LLM did not answer ({exc.notice}); the offline planner answered."
            return self.offline, self.offline.answer(turn)


@cache
def default_assistant() -> Assistant:
    """The process-wide assistant on the configured store (built once)."""
    from crm.db import make_engine

    settings = get_settings()
    return Assistant(settings, make_engine(settings.database_url))


def ask(question: str, *, caller: str, thread_id: str | None = None) -> Answer:
    """Answer ``question`` for CRM user ``caller`` with the default :class:`Assistant`."""
    return default_assistant().ask(question, caller=caller, thread_id=thread_id)
