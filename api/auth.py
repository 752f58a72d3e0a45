"""API keys: random, shown once, stored as a salted SHA-256 hash, each bound to a CRM user.

A key reads ``dw_<prefix>_<secret>``. The prefix (8 hex characters) is stored in clear
and finds the row; the secret (32 random bytes, URL-safe base64) is only stored as
``sha256(salt + secret)`` with a per-key random salt and checked in constant time. The
key's user decides the caller's scope. ``last_used_at`` is refreshed at most once a
minute, so authenticated reads do not turn into writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select

from crm.models import ApiKey, User
from crm.scope import UnknownUser

KEY_PREFIX = "dw"
TOUCH_EVERY = dt.timedelta(minutes=1)
_BY_PREFIX = select(ApiKey).where(col(ApiKey.prefix) == bindparam("prefix"))
"""Every request looks its key up: built once, so SQLAlchemy only binds the prefix."""


class InvalidKey(LookupError):
    """The key is malformed, unknown or revoked (the API answers 401, never says which)."""


@dataclass(frozen=True)
class IssuedKey:
    """A freshly created key: ``key`` is shown once and never stored."""

    id: str
    prefix: str
    user_id: str
    key: str


def _digest(salt: bytes, secret: str) -> str:
    return hashlib.sha256(salt + secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_key(session: Session, user_id: str) -> IssuedKey:
    """Create a key for CRM user ``user_id`` (the caller commits); raises ``UnknownUser``."""
    if session.get(User, user_id) is None:
        raise UnknownUser(f"no CRM user with id {user_id!r}")
    prefix, secret, salt = secrets.token_hex(4), secrets.token_urlsafe(32), secrets.token_bytes(16)
    row = ApiKey(
        id=uuid.uuid4().hex,
        user_id=user_id,
        prefix=prefix,
        hash=f"{salt.hex()}${_digest(salt, secret)}",
        created_at=_now(),
    )
    session.add(row)
    session.flush()
    return IssuedKey(row.id, prefix, user_id, f"{KEY_PREFIX}_{prefix}_{secret}")


def authenticate(session: Session, key: str) -> str:
    """The CRM user id of a valid, unrevoked ``key``; raises :class:`InvalidKey`."""
    head, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if head != KEY_PREFIX or not prefix or not secret:
        raise InvalidKey("malformed key")
    row = session.exec(_BY_PREFIX, params={"prefix": prefix}).first()
    salt_hex, _, stored = row.hash.partition("$") if row else ("00", "", "")
    valid = hmac.compare_digest(_digest(bytes.fromhex(salt_hex), secret), stored)
    if row is None or not valid or row.revoked_at is not None:
        raise InvalidKey("unknown or revoked key")
    _touch(session, row)
    return row.user_id


def _touch(session: Session, row: ApiKey) -> None:
    now = _now()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
        session.add(row)
        session.commit()


def revoke_key(session: Session, prefix_or_id: str) -> ApiKey:
    """Revoke the key with this prefix or id (the caller commits); raises ``LookupError``."""
    row = session.exec(
        select(ApiKey).where(
            or_(col(ApiKey.prefix) == prefix_or_id, col(ApiKey.id) == prefix_or_id)
        )
    ).first()
    if row is None:
        raise LookupError(f"no API key with prefix or id {prefix_or_id!r}")
    if row.revoked_at is None:
        row.revoked_at = _now()
        session.add(row)
    return row


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, newest first (hashes included: callers show only the other fields)."""
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.created_at).desc())).all())
