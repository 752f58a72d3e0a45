"""The :class:`ToolContext` every tool receives first; the model never sees it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from crm.scope import Scope, scope_for


@dataclass(frozen=True)
class ToolContext:
    """What a tool call runs against.

    Attributes:
        session: An open session on the CRM store.
        scope: Whose records the caller may see; applied in every query.
        as_of: The analysis date: records dated after it do not exist yet.
        currency: ISO code used when formatting money.
        default_gross_margin: Margin used when orders carry no cost.
        knowledge: The knowledge layer's note store (semantic search), when available.
    """

    session: Session
    scope: Scope
    as_of: dt.date
    currency: str = "EUR"
    default_gross_margin: float = 0.35
    knowledge: object | None = None

    @property
    def as_of_end(self) -> dt.datetime:
        """The first instant after ``as_of`` (UTC): timestamps must be before it."""
        day = self.as_of + dt.timedelta(days=1)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)

    @classmethod
    def for_user(
        cls, session: Session, user_id: str, as_of: dt.date, **kwargs: object
    ) -> ToolContext:
        """Build the context of CRM user ``user_id`` (scope computed from the users table)."""
        return cls(session=session, scope=scope_for(session, user_id), as_of=as_of, **kwargs)  # type: ignore[arg-type]
