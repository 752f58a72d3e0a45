"""``/v1/me``: who the API key acts as (the web page shows it after login)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CallerDep, SessionDep
from api.errors import ApiError
from crm.models import User

router = APIRouter(prefix="/v1", tags=["auth"])


class Me(BaseModel):
    """The CRM user behind the API key."""

    user_id: str = Field(description="CRM user id.")
    name: str = Field(description="Display name.")
    role: str = Field(description="rep, manager or admin: decides what you may see.")
    team: str | None = Field(description="Team, if any.")


@router.get("/me", response_model=Me)
def me(caller: CallerDep, session: SessionDep) -> Me:
    """The CRM user your API key acts as."""
    user = session.get(User, caller)
    if user is None:  # the key outlived its user
        raise ApiError(401, "unauthorized", "the key's user no longer exists")
    return Me(user_id=user.id, name=user.name, role=user.role, team=user.team)
