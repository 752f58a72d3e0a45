"""A turn must not hold SQLite's single write lock while the planner works.

Tools write caches from sessions of their own (e.g. the CLV fit into ``model_fits``);
if the turn had written its new thread before planning, that write would wait out the
busy timeout and the cache would be lost.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session, func, select

from assistant.service import Assistant
from crm.db import create_all, make_engine
from crm.demo import build_demo
from crm.models import Account, ModelFit, Order
from crm.settings import Settings
from tools.clv_models import forget_memo

AS_OF = dt.date(2026, 6, 30)


def test_a_tool_can_store_its_fit_while_a_new_thread_is_answered(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}", connect_args={"timeout": 2})
    create_all(engine)
    build_demo(engine, scale=0.2, seed=3, as_of=AS_OF)
    forget_memo()
    with Session(engine) as session:
        name = session.exec(
            select(Account.name)
            .join(Order, Order.account_id == Account.id)
            .group_by(Account.id)
            .order_by(func.count().desc(), Account.id)
        ).first()
    settings = Settings(_env_file=None, as_of=AS_OF, data_dir=tmp_path)  # type: ignore[call-arg]
    answer = Assistant(settings, engine).ask(f"what is {name} worth?", caller="admin01")

    assert any(call.name == "account_clv" for call in answer.tool_calls), answer.text
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ModelFit)).one() > 0
