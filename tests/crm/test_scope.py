from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import User
from crm.scope import UnknownUser, scope_for


def _users(session: Session) -> None:
    session.add_all(
        [
            User(id="adm", name="Ada", role="admin"),
            User(id="m1", name="Mia", role="manager", team="north"),
            User(id="r1", name="Rob", role="rep", team="north", manager_id="m1"),
            User(id="r2", name="Rae", role="rep", team="south"),
        ]
    )
    session.commit()


def test_rep_sees_own_manager_sees_team_admin_sees_all(engine: Engine) -> None:
    with Session(engine) as session:
        _users(session)
        assert scope_for(session, "r1").owner_ids == {"r1"}
        assert scope_for(session, "m1").owner_ids == {"m1", "r1"}
        admin = scope_for(session, "adm")
        assert admin.sees_all and admin.allows("r2")
        assert not scope_for(session, "r1").allows("r2")


def test_unknown_user_is_refused(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(UnknownUser):
        scope_for(session, "nobody")
