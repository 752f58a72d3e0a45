"""Building a :class:`tools.context.ToolContext` for a caller from the settings."""

from __future__ import annotations

from sqlmodel import Session, select

from crm.models import User
from crm.scope import UnknownUser
from crm.settings import Settings
from tools.context import ToolContext


def first_admin_id(session: Session) -> str:
    """The id of the first admin user (the CLI's default caller)."""
    admin = session.exec(select(User.id).where(User.role == "admin").order_by(User.id)).first()
    if admin is None:
        raise UnknownUser("no admin user in the store: import users or run `dealwise demo`")
    return admin


def context_for(session: Session, user_id: str, settings: Settings) -> ToolContext:
    """The tool context of CRM user ``user_id`` under ``settings``."""
    return ToolContext.for_user(
        session,
        user_id,
        settings.analysis_date(),
        currency=settings.currency,
        default_gross_margin=settings.default_gross_margin,
    )
