"""The CRM tables (SQLModel).

Ids are strings as the source CRM gives them. Timestamps are timezone-aware UTC
(:class:`crm.types.UTCDateTime`); calendar facts (order date, close date) are dates.
Money is stored as integer cents in ``*_cents`` columns, so sums never drift; the
canonical CSV columns (``amount``, ``cost``, ...) are in currency units and converted
on import.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.types import UTCDateTime

Role = Literal["rep", "manager", "admin"]
StageOutcome = Literal["open", "won", "lost"]
ActivityKind = Literal["call", "email", "meeting", "note", "task"]
TicketKind = Literal["complaint", "question", "incident"]
TicketStatus = Literal["open", "pending", "resolved", "closed"]
LeadStatus = Literal["new", "contacted", "qualified", "converted", "disqualified"]
DecisionRole = Literal[
    "decision_maker",
    "champion",
    "influencer",
    "technical_evaluator",
    "user",
    "gatekeeper",
    "blocker",
    "unknown",
]
PreferenceCategory = Literal[
    "pricing", "payment_terms", "communication", "product", "deployment", "timeline"
]

ENUMS: dict[str, tuple[str, ...]] = {
    "role": get_args(Role),
    "outcome": get_args(StageOutcome),
    "activity_kind": get_args(ActivityKind),
    "ticket_kind": get_args(TicketKind),
    "ticket_status": get_args(TicketStatus),
    "lead_status": get_args(LeadStatus),
    "decision_role": get_args(DecisionRole),
    "preference_category": get_args(PreferenceCategory),
}
KNOWN_ROLES: tuple[str, ...] = tuple(r for r in get_args(DecisionRole) if r != "unknown")
"""The seven real decision roles (every :data:`DecisionRole` but ``unknown``)."""
PREFERENCE_CATEGORIES: tuple[str, ...] = get_args(PreferenceCategory)
"""The preference categories, in declaration order."""


class User(SQLModel, table=True):
    """A CRM user: a rep, a manager (sees their team) or an admin (sees everything)."""

    __tablename__ = "users"
    id: str = Field(primary_key=True, max_length=64)
    name: str
    email: str | None = Field(default=None, index=True)
    role: str = Field(default="rep", max_length=16)
    manager_id: str | None = Field(default=None, foreign_key="users.id")
    team: str | None = Field(default=None, index=True)
    slack_user_id: str | None = Field(default=None, index=True)


class Account(SQLModel, table=True):
    """A customer or prospect company; ``parent_id`` links group subsidiaries to the parent."""

    __tablename__ = "accounts"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(index=True)
    industry: str | None = None
    country: str | None = None
    employees: int | None = None
    annual_revenue_cents: int | None = Field(default=None, sa_type=BigInteger)
    parent_id: str | None = Field(default=None, foreign_key="accounts.id", index=True)
    owner_id: str | None = Field(default=None, foreign_key="users.id", index=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class Contact(SQLModel, table=True):
    """A person at an account."""

    __tablename__ = "contacts"
    id: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    name: str
    title: str | None = None
    email: str | None = None
    phone: str | None = None


class Product(SQLModel, table=True):
    """Something we sell."""

    __tablename__ = "products"
    id: str = Field(primary_key=True, max_length=64)
    name: str
    family: str | None = None
    list_price_cents: int | None = Field(default=None, sa_type=BigInteger)
    unit_cost_cents: int | None = Field(default=None, sa_type=BigInteger)


class Order(SQLModel, table=True):
    """What a customer bought: the input of RFM, CLV and value metrics."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_account_date", "account_id", "order_date"),)
    id: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key="accounts.id")
    order_date: dt.date = Field(index=True)
    amount_cents: int = Field(sa_type=BigInteger)
    cost_cents: int | None = Field(default=None, sa_type=BigInteger)
    product_id: str | None = Field(default=None, foreign_key="products.id")
    opportunity_id: str | None = Field(default=None, foreign_key="opportunities.id")


class Stage(SQLModel, table=True):
    """One step of the pipeline definition, with its configured win probability."""

    __tablename__ = "stages"
    name: str = Field(primary_key=True, max_length=64)
    position: int = Field(unique=True)
    probability: float = Field(ge=0, le=1)
    outcome: str = Field(default="open", max_length=8)


class Opportunity(SQLModel, table=True):
    """A deal in the pipeline. ``account_id`` may be empty for early deals."""

    __tablename__ = "opportunities"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(index=True)
    account_id: str | None = Field(default=None, foreign_key="accounts.id", index=True)
    owner_id: str = Field(foreign_key="users.id", index=True)
    product_id: str | None = Field(default=None, foreign_key="products.id")
    stage: str = Field(foreign_key="stages.name", index=True)
    # indexed: the pipeline fingerprint's count and sum read the index, not every row
    amount_cents: int = Field(default=0, sa_type=BigInteger, index=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    close_date: dt.date | None = None
    next_step: str | None = None
    next_step_date: dt.date | None = None
    lost_reason: str | None = None


class StageHistory(SQLModel, table=True):
    """When an opportunity entered a stage."""

    __tablename__ = "stage_history"
    __table_args__ = (UniqueConstraint("opportunity_id", "stage", "entered_at"),)
    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: str = Field(foreign_key="opportunities.id", index=True)
    stage: str = Field(foreign_key="stages.name")
    entered_at: dt.datetime = Field(sa_type=UTCDateTime)


class CloseDateChange(SQLModel, table=True):
    """A change of an opportunity's expected close date (a push when it moves later)."""

    __tablename__ = "close_date_changes"
    __table_args__ = (UniqueConstraint("opportunity_id", "changed_at"),)
    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: str = Field(foreign_key="opportunities.id", index=True)
    # indexed for the as-of read of the few changes made after a date
    changed_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    previous_close_date: dt.date | None = None
    new_close_date: dt.date


class Activity(SQLModel, table=True):
    """A call, email, meeting, note or task; interaction notes live in ``body``."""

    __tablename__ = "activities"
    id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=16)
    occurred_at: dt.datetime = Field(index=True, sa_type=UTCDateTime)
    account_id: str | None = Field(default=None, foreign_key="accounts.id", index=True)
    opportunity_id: str | None = Field(default=None, foreign_key="opportunities.id", index=True)
    contact_id: str | None = Field(default=None, foreign_key="contacts.id", index=True)
    user_id: str | None = Field(default=None, foreign_key="users.id")
    subject: str | None = None
    body: str | None = Field(default=None, sa_type=Text)


class Ticket(SQLModel, table=True):
    """A service ticket, with response/resolution times and CSAT (1-5)."""

    __tablename__ = "tickets"
    id: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    kind: str = Field(max_length=16)
    opened_at: dt.datetime = Field(sa_type=UTCDateTime)
    first_response_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default="open", max_length=16)
    csat: int | None = Field(default=None, ge=1, le=5)


class Survey(SQLModel, table=True):
    """An NPS answer (0-10)."""

    __tablename__ = "surveys"
    id: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    contact_id: str | None = Field(default=None, foreign_key="contacts.id")
    answered_at: dt.datetime = Field(sa_type=UTCDateTime)
    nps: int = Field(ge=0, le=10)


class Lead(SQLModel, table=True):
    """A marketing lead with its engagement counters."""

    __tablename__ = "leads"
    id: str = Field(primary_key=True, max_length=64)
    name: str
    company: str | None = None
    email: str | None = None
    source: str | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="new", max_length=16)
    converted_account_id: str | None = Field(default=None, foreign_key="accounts.id")
    industry: str | None = None
    employees: int | None = None
    country: str | None = None
    email_opens: int = 0
    page_views: int = 0
    form_submissions: int = 0
    events_attended: int = 0


class MarketingSpend(SQLModel, table=True):
    """Marketing spend of one channel over one period (input of CAC)."""

    __tablename__ = "marketing_spend"
    __table_args__ = (UniqueConstraint("period_start", "period_end", "channel"),)
    id: int | None = Field(default=None, primary_key=True)
    period_start: dt.date
    period_end: dt.date
    channel: str
    amount_cents: int = Field(sa_type=BigInteger)


class NoteLabel(SQLModel, table=True):
    """Ground truth of what a note states (written by the demo generator, read by evals).

    ``kind`` is ``role`` (``label`` is a decision role, ``contact_id`` the person) or
    ``preference`` (``label`` is a preference category, ``value`` the normalised value).
    """

    __tablename__ = "note_labels"
    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(foreign_key="activities.id", index=True)
    kind: str = Field(max_length=16)
    contact_id: str | None = Field(default=None, foreign_key="contacts.id")
    label: str = Field(max_length=32)
    value: str | None = None
    sentence: str | None = Field(default=None, sa_type=Text)


class ContactRoleFact(SQLModel, table=True):
    """A decision-chain role that one note states about one contact (written by ``knowledge``).

    Facts from several notes are merged at read time (newest and most frequent first).
    """

    __tablename__ = "contact_role_facts"
    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(foreign_key="activities.id", index=True)
    account_id: str | None = Field(default=None, foreign_key="accounts.id", index=True)
    opportunity_id: str | None = Field(default=None, foreign_key="opportunities.id", index=True)
    contact_id: str | None = Field(default=None, foreign_key="contacts.id", index=True)
    person: str = Field(description="The name as written in the note.")
    role: str = Field(max_length=32)
    stance: str | None = Field(default=None, max_length=16)
    influence: str | None = Field(default=None, max_length=16)
    sentence: str = Field(sa_type=Text)
    occurred_at: dt.datetime = Field(sa_type=UTCDateTime)
    extractor: str = Field(max_length=16)


class PreferenceFact(SQLModel, table=True):
    """A customer preference that one note states (written by ``knowledge``)."""

    __tablename__ = "preference_facts"
    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(foreign_key="activities.id", index=True)
    account_id: str | None = Field(default=None, foreign_key="accounts.id", index=True)
    contact_id: str | None = Field(default=None, foreign_key="contacts.id")
    category: str = Field(max_length=32)
    value: str
    sentence: str = Field(sa_type=Text)
    occurred_at: dt.datetime = Field(sa_type=UTCDateTime)
    extractor: str = Field(max_length=16)


class DemoTruth(SQLModel, table=True):
    """Ground truth the demo generator planted (written by ``crm.demo``, read by evals/tests).

    ``entity`` is ``account`` (``label`` a behaviour: loyal_high_value, growing_new, churned,
    one_off, seasonal, steady, prospect), ``opportunity`` (an outcome or scenario: won, lost,
    open, stalled, slipped, missing_decision_maker, no_account) or ``contact`` (``label`` the
    decision role, ``detail`` its stance and influence).
    """

    __tablename__ = "demo_truth"
    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=16, index=True)
    entity_id: str = Field(max_length=64, index=True)
    label: str = Field(max_length=32, index=True)
    detail: str | None = None


class ModelFit(SQLModel, table=True):
    """Fitted parameters of a statistical model (written by ``tools.clv``), cached per dataset.

    ``data_key`` fingerprints the input (e.g. order count, amount sum, max order id up to
    ``as_of``): a new order changes it and forces a refit. ``params`` is a JSON object.
    """

    __tablename__ = "model_fits"
    __table_args__ = (Index("ix_model_fits_lookup", "model", "as_of", "data_key", "time_unit"),)
    id: int | None = Field(default=None, primary_key=True)
    model: str = Field(max_length=32)
    as_of: dt.date
    data_key: str = Field(max_length=64)
    time_unit: str = Field(max_length=8)
    params: str = Field(sa_type=Text)
    log_likelihood: float | None = None
    n_customers: int
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class ConversationThread(SQLModel, table=True):
    """A conversation thread (``id`` a uuid4 hex) of one caller, with the entities in focus.

    ``focus`` is a JSON object (e.g. ``{"account_id": "A1"}``) the planners use to resolve
    follow-ups; only ``caller_id`` may continue the thread.
    """

    __tablename__ = "conversation_threads"
    id: str = Field(primary_key=True, max_length=32)
    caller_id: str = Field(foreign_key="users.id", index=True, max_length=64)
    focus: str = Field(default="{}", sa_type=Text)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)


class ConversationTurn(SQLModel, table=True):
    """One question and its answer in a thread (the thread's memory reads the last few)."""

    __tablename__ = "conversation_turns"
    id: int | None = Field(default=None, primary_key=True)
    thread_id: str = Field(foreign_key="conversation_threads.id", index=True, max_length=32)
    question: str = Field(sa_type=Text)
    answer: str = Field(sa_type=Text)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """One assistant turn as it happened, failures included (written by ``assistant.audit``).

    ``caller_id`` has no foreign key so that turns of unknown callers are audited too;
    ``tool_calls`` is a JSON list of ``{name, args, error, duration_ms}``.
    """

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    caller_id: str = Field(max_length=64, index=True)
    thread_id: str | None = Field(default=None, max_length=32, index=True)
    question: str = Field(sa_type=Text)
    planner: str | None = Field(default=None, max_length=16)
    tool_calls: str = Field(default="[]", sa_type=Text)
    answer: str | None = Field(default=None, sa_type=Text)
    notice: str | None = Field(default=None, sa_type=Text)
    error: str | None = Field(default=None, sa_type=Text)
    duration_ms: float


class ApiKey(SQLModel, table=True):
    """An API key of one CRM user (written by ``api.auth``): only a salted hash is stored.

    The key reads ``dw_<prefix>_<secret>``; ``prefix`` finds the row, ``hash`` is
    ``<salt hex>$<sha256(salt + secret) hex>``. A revoked key never authenticates again.
    """

    __tablename__ = "api_keys"
    id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=64)
    prefix: str = Field(unique=True, max_length=16)
    hash: str = Field(max_length=160)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class SlackEvent(SQLModel, table=True):
    """A Slack event already received (written by ``api.slack.dedupe``): retries are dropped.

    Slack re-sends an event when the ack is slow; the first delivery inserts its
    ``event_id``, and any later delivery of the same id finds the row and is ignored.
    """

    __tablename__ = "slack_events"
    event_id: str = Field(primary_key=True, max_length=64)
    received_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
