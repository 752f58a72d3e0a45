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


def open_notes(settings: Settings) -> object | None:
    """The notes index handle (cheap: Chroma and the model open on the first search).

    ``None`` when no embedding model is installed; note search then says so.
    """
    from knowledge.search import open_note_index

    try:
        return open_note_index(settings.data_dir, settings.chroma_url, settings.embedding_model)
    except FileNotFoundError:
        return None


def context_for(
    session: Session, user_id: str, settings: Settings, *, knowledge: object | None = None
) -> ToolContext:
    """The tool context of CRM user ``user_id`` under ``settings``."""
    return ToolContext.for_user(
        session,
        user_id,
        settings.analysis_date(),
        currency=settings.currency,
        default_gross_margin=settings.default_gross_margin,
        knowledge=knowledge,
    )
