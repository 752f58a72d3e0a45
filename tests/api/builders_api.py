"""The API tests' world: :mod:`builders_deals` plus one API key per user and a pipeline planner.

rep1 (team A) owns Acme A1 (order R1 EUR 100,000, 200 days before as_of) and the
"Acme renewal" O1 (Negotiation, EUR 120,000, weighted 0.75 → EUR 90,000) plus a won
pilot O3 (EUR 20,000, so stage durations have history); rep2 (team B) owns Brightline
Foods A2 and O2 (Proposal, EUR 40,000, weighted EUR 20,000). mgr manages team A; admin
sees all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builders_deals import AS_OF, add_world, at, day, enter_stage
from sqlalchemy.engine import Engine

from api.auth import create_key
from assistant.answer import PlannerName
from assistant.planner import PlannerOutput, Turn, run_tool
from assistant.service import Assistant
from crm.db import session_scope
from crm.models import Opportunity
from crm.settings import Settings

USERS = ("admin", "mgr", "rep1", "rep2")
STAGE_VISITS = (
    ("O3", "Prospecting", 400),
    ("O3", "Negotiation", 350),
    ("O3", "Closed Won", 300),
    ("O1", "Prospecting", 90),
    ("O1", "Negotiation", 30),
)


def build_world(engine: Engine) -> dict[str, str]:
    """Store the world and return an API key per user id."""
    with session_scope(engine) as session:
        add_world(session)
        session.add(
            Opportunity(
                id="O3", name="Acme pilot", account_id="A1", owner_id="rep1", stage="Closed Won",
                amount_cents=2_000_000, created_at=at(400), close_date=day(-300),
            )
        )  # fmt: skip
        session.flush()
        for opp, stage, days_ago in STAGE_VISITS:
            enter_stage(session, opp, stage, days_ago)
        return {user: create_key(session, user).key for user in USERS}


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings pinned to the world's as_of, ignoring any ``.env`` file."""
    return Settings(_env_file=None, as_of=AS_OF, data_dir=tmp_path, **overrides)


class PipelinePlanner:
    """A scripted planner: every question is answered with the caller's open pipeline."""

    name: PlannerName = "offline"

    def answer(self, turn: Turn) -> PlannerOutput:
        """Call pipeline_by_stage and state its totals in markdown."""
        record, _ = run_tool(turn.catalog["pipeline_by_stage"], turn.ctx, {})
        totals = record.result or {}
        text = (
            f"Your open pipeline is **EUR {totals['total_amount']:,.2f}** in "
            f"{totals['total_count']} deal(s); weighted EUR {totals['total_weighted_amount']:,.2f}."
            "\n\n- asked: " + turn.question
        )
        return PlannerOutput(text=text, tool_calls=[record])


def make_assistant(engine: Engine, settings: Settings, knowledge: object | None) -> Assistant:
    """An assistant on ``engine`` answering with :class:`PipelinePlanner`."""
    return Assistant(settings, engine, planner=PipelinePlanner(), knowledge=knowledge)


def auth(key: str) -> dict[str, str]:
    """The bearer header of ``key``."""
    return {"Authorization": f"Bearer {key}"}
