"""``dealwise tour`` on a small demo world: real picks, six grounded answers, then how to ask."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from api.cli.common import console
from api.cli.main import app
from api.cli.tour import Picks, pick, plan, prepare, run_tour
from assistant.answer import Answer, ToolCallRecord
from assistant.guard import ungrounded
from assistant.service import Assistant
from crm.db import create_all, make_engine
from crm.demo import build_demo
from crm.models import Account, ContactRoleFact, Opportunity, Order, Stage, User
from crm.scope import scope_for
from crm.settings import Settings
from knowledge.search import open_note_index
from tests.knowledge.conftest import FakeEmbedder
from tools.context import ToolContext
from tools.rfm import rfm_table

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def world(engine: Engine) -> Engine:
    """A tenth-scale demo world with its note facts extracted and CLV models fitted."""
    build_demo(engine, scale=0.1, seed=11, as_of=AS_OF)
    prepare(engine, AS_OF)
    return engine


def picks_of(engine: Engine) -> Picks:
    with Session(engine) as session:
        return pick(session, AS_OF)


def test_the_tour_picks_records_that_exist_and_fit_their_questions(world: Engine) -> None:
    picks = picks_of(world)
    with Session(world) as session:
        rep, manager = session.get(User, picks.rep), session.get(User, picks.manager)
        at_risk = rfm_table(ToolContext.for_user(session, picks.rep, AS_OF))["segment"]
        account = session.get(Account, picks.rich_account)
        orders = session.exec(
            select(func.count()).where(
                col(Order.account_id) == picks.rich_account, col(Order.order_date) <= AS_OF
            )
        ).one()
        deal = session.get(Opportunity, picks.open_deal)
        stage = session.get(Stage, deal.stage if deal else "")
        manager_scope = scope_for(session, picks.manager)
        decider = session.get(Account, picks.decider_account)
        decision_makers = session.exec(
            select(func.count()).where(
                col(ContactRoleFact.account_id) == picks.decider_account,
                col(ContactRoleFact.role) == "decision_maker",
            )
        ).one()
    # the rep has customers slipping away, and reports to the manager who reviews the deal
    assert rep is not None and rep.role == "rep" and (at_risk == "At Risk").sum() >= 1
    assert manager is not None and manager.role == "manager" and rep.manager_id == manager.id
    # the summarised account is the rep's and has a history worth summarising
    assert account is not None and account.owner_id == rep.id and orders >= 10
    # the reviewed deal is open, tied to an account and in the manager's team
    assert deal is not None and stage is not None and stage.outcome == "open"
    assert deal.account_id is not None and manager_scope.allows(deal.owner_id)
    # the notes of the "who decides" account name a decision maker; its owner asks
    assert decider is not None and decision_makers >= 1
    assert decider.owner_id == picks.decider_owner


def test_the_tour_asks_six_questions_each_answered_from_tools_with_grounded_figures(
    world: Engine, tmp_path: Path
) -> None:
    settings = Settings(database_url="sqlite://", as_of=AS_OF, data_dir=tmp_path)
    notes = open_note_index(tmp_path, embedder=FakeEmbedder())
    assistant = Assistant(settings, world, knowledge=notes)
    with Session(world) as session:
        stops = plan(session, picks_of(world))
    with console.capture() as printed:
        answers = run_tour(assistant, stops)
    assert len(answers) == 6
    for stop, answer in zip(stops, answers, strict=True):
        assert answer.tool_calls and all(c.error is None for c in answer.tool_calls), stop
        assert ungrounded(answer.text, evidence(stop.question, answer)) == [], stop
        if stop.record_id is not None:  # the answer is about the record the tour picked
            assert stop.record_id in json.dumps([c.args for c in answer.tool_calls]), stop
        assert stop.question in printed.get()
        assert f"{stop.caller.name} ({stop.caller.role}, {stop.caller.id}) asks" in printed.get()


def evidence(question: str, answer: Answer) -> list[object]:
    """What the figures of an answer may come from: the question and its tool calls."""
    return [question, *(c.model_dump(mode="json") for c in answer.tool_calls)]


class ScriptedAssistant:
    """Stands in for the assistant in the CLI test: records who asked what, answers by rote."""

    asked: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings

    def ask(self, question: str, *, caller: str, thread_id: str | None = None) -> Answer:
        self.asked.append((caller, question))
        call = ToolCallRecord(name="scripted_tool", args={}, result={}, duration_ms=1.0)
        return Answer(
            text=f"Answer for {caller}.", planner="offline", tool_calls=[call], thread_id="t"
        )


def test_dealwise_tour_asks_as_the_picked_users_and_ends_with_how_to_ask_your_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = make_engine(url)
    create_all(engine)
    build_demo(engine, scale=0.1, seed=11, as_of=AS_OF)
    monkeypatch.setenv("DEALWISE_DATABASE_URL", url)
    monkeypatch.setenv("DEALWISE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("assistant.service.Assistant", ScriptedAssistant)
    monkeypatch.setattr(ScriptedAssistant, "asked", [])
    result = CliRunner().invoke(app, ["tour", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    picks = picks_of(engine)
    engine.dispose()
    callers = [caller for caller, _ in ScriptedAssistant.asked]
    assert callers == [picks.rep, picks.rep, picks.manager, picks.manager, picks.rep, picks.rep]
    flat = " ".join(result.output.replace("│", " ").split())  # undo rich's line wrapping
    assert flat.count("offline planner · scripted_tool") == 6
    assert f'dealwise ask "which deals are stalled?" --user {picks.rep} --as-of 2026-06-30' in flat
    assert f"dealwise chat --user {picks.rep} --as-of 2026-06-30" in flat
    assert "dealwise serve" in flat
