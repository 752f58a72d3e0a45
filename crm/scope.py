"""Who may see what: a caller's :class:`Scope`, computed from the users table.

A rep sees the records they own, a manager the records of everyone in their team
(and of their direct reports), an admin everything. Tools apply the scope in their
SQL queries through :meth:`Scope.owner_filter`; nothing else widens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from crm.models import User


class UnknownUser(LookupError):
    """The caller does not map to a CRM user."""


@dataclass(frozen=True)
class Scope:
    """The caller and the owners whose records the caller may see (``None`` = all)."""

    user_id: str
    role: str
    owner_ids: frozenset[str] | None

    @property
    def sees_all(self) -> bool:
        """True for admins."""
        return self.owner_ids is None

    def allows(self, owner_id: str | None) -> bool:
        """Whether a record owned by ``owner_id`` is visible."""
        return self.owner_ids is None or (owner_id is not None and owner_id in self.owner_ids)

    def owner_filter(self, column: Any) -> Any:
        """A SQL condition restricting ``column`` (an owner id column) to this scope."""
        if self.owner_ids is None:
            return column.is_not(None) | column.is_(None)
        return column.in_(sorted(self.owner_ids))

    @classmethod
    def everything(cls, user_id: str = "system") -> Scope:
        """An unrestricted scope, for internal jobs (indexing, fitting)."""
        return cls(user_id=user_id, role="admin", owner_ids=None)


def scope_for(session: Session, user_id: str) -> Scope:
    """Compute the scope of CRM user ``user_id``."""
    user = session.get(User, user_id)
    if user is None:
        raise UnknownUser(f"no CRM user with id {user_id!r}")
    if user.role == "admin":
        return Scope(user.id, user.role, None)
    owners = {user.id}
    if user.role == "manager":
        conditions = [col(User.manager_id) == user.id]
        if user.team:
            conditions.append(col(User.team) == user.team)
        owners |= set(session.exec(select(User.id).where(or_(*conditions))).all())
    return Scope(user.id, user.role, frozenset(owners))
