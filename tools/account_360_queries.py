"""The SQL behind ``account_360``: statements built once, run with bound parameters.

An account summary is one of the most requested views (the API's
``/v1/accounts/{id}/summary``, "tell me about X"). Building an ORM statement costs
SQLAlchemy about 0.2 ms of Python per query before the database sees it; these are Core
statements over the tables, compiled once and cached by SQLAlchemy, so a summary's
queries cost little more than the database's own work. Each takes the account id as
``:account``; ``:day`` is ``as_of`` and ``:end`` the first instant after it.

Scope: the account row returns its owner (the caller checks it); open deals are
filtered in SQL to the caller's owners (``:owners``), with a second statement for
callers who see everything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, Select, Table, bindparam, case, func, true
from sqlalchemy import select as sa_select

from crm.models import Account, Activity, Contact, Opportunity, Order, Stage, Survey, Ticket, User
from tools.records import MAX_IDS

LAST_ACTIVITIES = 5


def _table(model: type) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


_acc, _parent, _user = _table(Account), _table(Account).alias("parent"), _table(User)
_contact, _order, _opp, _stage = _table(Contact), _table(Order), _table(Opportunity), _table(Stage)
_activity, _ticket, _survey = _table(Activity), _table(Ticket), _table(Survey)
_account: BindParameter[str] = bindparam("account")

ACCOUNT = (
    sa_select(
        _acc.c.id,
        _acc.c.name,
        _acc.c.industry,
        _acc.c.country,
        _acc.c.employees,
        _acc.c.annual_revenue_cents,
        _acc.c.owner_id,
        _user.c.name.label("owner_name"),
        _parent.c.id.label("parent_id"),
        _parent.c.owner_id.label("parent_owner_id"),
    )
    .outerjoin(_user, _user.c.id == _acc.c.owner_id)
    .outerjoin(_parent, _parent.c.id == _acc.c.parent_id)
    .where(_acc.c.id == _account)
)
"""The account, its owner's name and its parent with the parent's owner."""

CONTACTS = (
    sa_select(_contact.c.id, _contact.c.name, _contact.c.title)
    .where(_contact.c.account_id == _account)
    .order_by(_contact.c.id)
)

ORDER_TOTALS = sa_select(
    func.count(),
    func.sum(_order.c.amount_cents),
    func.sum(case((_order.c.order_date > bindparam("year_start"), _order.c.amount_cents), else_=0)),
    func.min(_order.c.order_date),
    func.max(_order.c.order_date),
).where(_order.c.account_id == _account, _order.c.order_date <= bindparam("day"))
"""Order count, total cents, cents after ``:year_start``, first and last order date."""

LATEST_ORDERS = (
    sa_select(_order.c.id)
    .where(_order.c.account_id == _account, _order.c.order_date <= bindparam("day"))
    .order_by(_order.c.order_date.desc(), _order.c.id.desc())
    .limit(MAX_IDS)
)


def _open_deals(*, scoped: bool) -> Select[Any]:
    stmt = (
        sa_select(_opp.c.id, _opp.c.name, _opp.c.stage, _opp.c.amount_cents, _opp.c.close_date)
        .join(_stage, _stage.c.name == _opp.c.stage)
        .where(
            _opp.c.account_id == _account,
            _stage.c.outcome == "open",
            _opp.c.created_at < bindparam("end"),
        )
        .order_by(_opp.c.close_date, _opp.c.id)
    )
    return stmt.where(_opp.c.owner_id.in_(bindparam("owners", expanding=True))) if scoped else stmt


OPEN_DEALS_ALL, OPEN_DEALS_SCOPED = _open_deals(scoped=False), _open_deals(scoped=True)
"""Open deals created by ``:end``; the scoped one keeps owners in ``:owners``."""

LAST_ACTIVITY_ROWS = (
    sa_select(_activity.c.id, _activity.c.kind, _activity.c.occurred_at, _activity.c.subject)
    .where(_activity.c.account_id == _account, _activity.c.occurred_at < bindparam("end"))
    .order_by(_activity.c.occurred_at.desc(), _activity.c.id.desc())
    .limit(LAST_ACTIVITIES)
)


def _service() -> Select[Any]:
    tickets = (
        sa_select(
            func.sum(case((_ticket.c.status.in_(["open", "pending"]), 1), else_=0)),
            func.avg(_ticket.c.csat),
            func.count(_ticket.c.csat),
        )
        .where(_ticket.c.account_id == _account, _ticket.c.opened_at < bindparam("end"))
        .subquery()
    )
    answered = (_survey.c.account_id == _account, _survey.c.answered_at < bindparam("end"))
    nps = sa_select(func.avg(_survey.c.nps), func.count()).where(*answered).subquery()
    latest = (
        sa_select(_survey.c.nps)
        .where(*answered)
        .order_by(_survey.c.answered_at.desc(), _survey.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    both = tickets.join(nps, true())  # one row each: no cartesian blow-up
    return sa_select(tickets, nps, latest).select_from(both)


SERVICE = _service()
"""Open or pending tickets, mean CSAT, rated tickets, mean NPS, NPS answers, latest NPS."""
