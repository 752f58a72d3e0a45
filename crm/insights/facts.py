"""Queries for the facts the extractor wrote: role facts of a deal or account, last contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from crm.insights.votes import with_weights
from crm.models import Account, Activity, Contact, ContactRoleFact, Opportunity

OwnerFilter = Callable[[Any], Any]


def role_facts(
    session: Session,
    *,
    account_id: str | None = None,
    opportunity_id: str | None = None,
    before: dt.datetime,
    owner_filter: OwnerFilter | None = None,
) -> pd.DataFrame:
    """The role facts of one account or opportunity as a frame, with vote weights.

    Columns: those of :func:`role_fact_rows` plus ``member`` (contact id, or
    ``name:<person>``), ``name`` (the contact's, else as written) and ``weight``.
    """
    if opportunity_id is not None:
        deal_account = session.exec(
            select(Opportunity.account_id).where(col(Opportunity.id) == opportunity_id)
        ).first()
        condition = deal_condition(ContactRoleFact, opportunity_id, deal_account)
    elif account_id is not None:
        condition = col(ContactRoleFact.account_id) == account_id
    else:
        raise ValueError("give account_id or opportunity_id")
    facts = role_fact_rows(session, [condition], before=before, owner_filter=owner_filter)
    return with_weights(facts, before) if not facts.empty else facts


def role_fact_rows(
    session: Session,
    conditions: list[Any],
    *,
    before: dt.datetime,
    owner_filter: OwnerFilter | None = None,
) -> pd.DataFrame:
    """Role facts matching ``conditions`` dated before ``before``, one row each.

    Columns: activity_id, opportunity_id, account_id, contact_id, person, role, stance,
    influence, sentence, occurred_at, contact_name and title (of the CRM contact).
    """
    stmt: Any = (
        sa_select(
            col(ContactRoleFact.activity_id), col(ContactRoleFact.opportunity_id),
            col(ContactRoleFact.account_id), col(ContactRoleFact.contact_id),
            col(ContactRoleFact.person), col(ContactRoleFact.role), col(ContactRoleFact.stance),
            col(ContactRoleFact.influence), col(ContactRoleFact.sentence),
            col(ContactRoleFact.occurred_at), col(Contact.name).label("contact_name"),
            col(Contact.title),
        )
        .outerjoin(Contact, col(Contact.id) == ContactRoleFact.contact_id)
        .where(*conditions, col(ContactRoleFact.occurred_at) < before)
    )  # fmt: skip
    if owner_filter is not None:
        stmt = _scoped(stmt, ContactRoleFact, owner_filter)
    result = session.connection().execute(stmt)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def deal_condition(table: Any, opportunity_id: str, account_id: str | None) -> Any:
    """SQL condition: rows of ``table`` that are the deal's own or its account's unassigned."""
    own = col(table.opportunity_id) == opportunity_id
    if account_id is None:
        return own
    return or_(own, and_(col(table.account_id) == account_id, col(table.opportunity_id).is_(None)))


def _scoped(query: Any, table: Any, owner_filter: OwnerFilter) -> Any:
    """Keep facts whose account or opportunity the caller may see."""
    return (
        query.join(Account, col(Account.id) == table.account_id, isouter=True)
        .join(Opportunity, col(Opportunity.id) == table.opportunity_id, isouter=True)
        .where(
            or_(
                and_(col(Account.id).is_not(None), owner_filter(Account.owner_id)),
                and_(col(Opportunity.id).is_not(None), owner_filter(Opportunity.owner_id)),
            )
        )
    )


def last_interactions(
    session: Session, contact_ids: list[str], *, before: dt.datetime
) -> pd.DataFrame:
    """The latest activity with each contact before ``before`` (indexed by contact id).

    Columns ``id`` (the activity) and ``occurred_at``; contacts never met are absent.
    """
    if not contact_ids:
        return pd.DataFrame(columns=["id", "occurred_at"])
    latest = (
        select(col(Activity.contact_id), func.max(Activity.occurred_at).label("at"))
        .where(col(Activity.contact_id).in_(contact_ids), col(Activity.occurred_at) < before)
        .group_by(col(Activity.contact_id))
        .subquery()
    )
    rows = session.exec(
        select(Activity.id, Activity.contact_id, Activity.occurred_at).join(
            latest,
            and_(
                col(Activity.contact_id) == latest.c.contact_id,
                col(Activity.occurred_at) == latest.c.at,
            ),
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["id", "contact_id", "occurred_at"])
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame.drop_duplicates("contact_id").set_index("contact_id")
