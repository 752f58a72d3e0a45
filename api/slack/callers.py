"""Who is asking: a Slack user mapped to a CRM user.

First by ``users.slack_user_id``, else by the e-mail of the Slack profile (``users.info``,
scope ``users:read.email``) matched case-insensitively against ``users.email``. A Slack
user who maps to nobody gets :data:`REFUSAL` and no data.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm.models import User

log = logging.getLogger(__name__)

REFUSAL = (
    "Sorry, I can't match your Slack account to a Dealwise user, so I can't show you any "
    "CRM data. Ask an admin to set your Slack user id or e-mail on your CRM user."
)


def crm_user_for(engine: Engine, client: WebClient, slack_user_id: str) -> str | None:
    """The CRM user id of Slack user ``slack_user_id``, or None when nobody matches."""
    with Session(engine) as session:
        user_id = session.exec(
            select(User.id).where(col(User.slack_user_id) == slack_user_id).order_by(User.id)
        ).first()
        if user_id is not None:
            return user_id
        email = _profile_email(client, slack_user_id)
        if not email:
            return None
        return session.exec(
            select(User.id)
            .where(func.lower(col(User.email)) == email.strip().lower())
            .order_by(User.id)
        ).first()


def _profile_email(client: WebClient, slack_user_id: str) -> str | None:
    try:
        response = client.users_info(user=slack_user_id)
    except SlackApiError as exc:
        log.warning("users.info failed for %s: %s", slack_user_id, exc.response.get("error"))
        return None
    email = (response.get("user") or {}).get("profile", {}).get("email")
    return str(email) if email else None
