"""``dealwise tour``: six representative questions answered on the store, then how to ask.

The tour picks its subjects from the store, deterministically, so it works on any demo
seed, scale or ``--as-of`` (and on imported data): the rep with the most money in the
RFM "At Risk" segment, that rep's account with the richest history (orders plus
activities), the rep's manager (else the first manager), the manager's largest open
deal, and the account whose notes name a decision maker most often (in the rep's book
if any, else anywhere, asked by its owner). Each question goes through
:meth:`assistant.service.Assistant.ask` as the right caller; the answer is printed
with the tools behind it. Decision roles come from the extracted note facts: when none
are stored yet, the tour runs the offline extraction once first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.cli.ask import show
from api.cli.common import AsOfOption, console, fail, settings_with, store_engine
from crm.models import Account, Activity, ContactRoleFact, Opportunity, Order, Stage, User

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from assistant.answer import Answer
    from assistant.service import Assistant
    from tools.context import ToolContext

_Row = TypeVar("_Row", User, Account, Opportunity)

AT_RISK = "At Risk"
"""The RFM segment behind "which of my customers are slipping away?"."""


@dataclass(frozen=True)
class Stop:
    """One question of the tour: who asks it, and about which record."""

    caller: User
    question: str
    record_id: str | None = None


@dataclass(frozen=True)
class Picks:
    """The users and records the tour asks about (ids)."""

    rep: str
    manager: str
    admin: str | None
    rich_account: str | None
    open_deal: str | None
    decider_account: str | None
    decider_owner: str | None


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command("tour")(tour)


def tour(as_of: AsOfOption = None) -> None:
    """Answer six representative rep and manager questions, then show how to ask your own."""
    from assistant.service import Assistant

    settings = settings_with(as_of)
    engine = store_engine(settings)
    prepare(engine, settings.analysis_date())
    with Session(engine) as session:
        try:
            picks = pick(session, settings.analysis_date())
        except LookupError as exc:
            raise fail(str(exc)) from exc
        stops = plan(session, picks)
        users = {u.id: u for u in (s.caller for s in stops)}
        admin = session.get(User, picks.admin) if picks.admin else None
    run_tour(Assistant(settings, engine), stops)
    console.print(closing_panel(users[picks.rep], users[picks.manager], admin, as_of))


def prepare(engine: Engine, as_of: dt.date) -> None:
    """Do once, up front, what the first questions would otherwise wait for.

    Reads decision roles and preferences out of the notes when no note fact is stored
    yet (``dealwise index`` embeds the notes but does not extract facts), and fits the
    CLV models for ``as_of`` outside any question, so their cache is written at once.
    """
    from crm.scope import Scope
    from knowledge.extract import OfflineExtractor
    from knowledge.facts_writer import extract_notes
    from tools.clv_models import clv_models
    from tools.context import ToolContext

    with Session(engine) as session:
        has_facts = session.exec(select(ContactRoleFact.id).limit(1)).first() is not None
        if not has_facts and session.exec(select(Activity.id).limit(1)).first() is not None:
            with console.status("reading decision roles and preferences from the notes"):
                counts = extract_notes(session, extractor=OfflineExtractor())
            session.commit()
            console.print(f"[dim]read {counts.notes:,} notes: {counts.role_facts:,} role facts[/]")
    with Session(engine) as session, console.status("fitting the customer-value models"):
        clv_models(ToolContext(session=session, scope=Scope.everything(), as_of=as_of))


def pick(session: Session, as_of: dt.date) -> Picks:
    """Choose the tour's rep, manager, account, deal and decision-maker account."""
    from crm.scope import Scope
    from tools.context import ToolContext

    reps = _user_ids(session, "rep")
    if not reps:
        raise LookupError("no rep in the store: run `dealwise demo` or import users first")
    contexts = {rep: ToolContext.for_user(session, rep, as_of) for rep in reps}
    rep = max(reps, key=lambda r: (_money_at_risk(contexts[r]), -reps.index(r)))
    manager = _manager_of(session, rep)
    admin = next(iter(_user_ids(session, "admin")), None)
    everyone = ToolContext(session=session, scope=Scope.everything(), as_of=as_of)
    decider = _top(_decision_maker_mentions(contexts[rep])) or _top(
        _decision_maker_mentions(everyone)
    )
    owner = _load(session, Account, decider).owner_id if decider else None
    return Picks(
        rep=rep,
        manager=manager,
        admin=admin,
        rich_account=_top(_history_sizes(contexts[rep])),
        open_deal=_largest_open_deal(ToolContext.for_user(session, manager, as_of)),
        decider_account=decider,
        decider_owner=owner or admin or rep,
    )


def plan(session: Session, picks: Picks) -> list[Stop]:
    """The six questions, each with its caller (as loaded from ``session``)."""
    rep, manager = _load(session, User, picks.rep), _load(session, User, picks.manager)
    stops = [Stop(rep, "Which of my customers are slipping away?")]
    if picks.rich_account:
        name = _load(session, Account, picks.rich_account).name
        stops.append(Stop(rep, f"Give me a summary of {name}", picks.rich_account))
    if picks.open_deal:
        name = _load(session, Opportunity, picks.open_deal).name
        stops.append(Stop(manager, f"Review the {name} deal", picks.open_deal))
    stops.append(Stop(manager, "What's the forecast for my team this quarter?"))
    stops.append(Stop(rep, "What should I do next?"))
    if picks.decider_account and picks.decider_owner:
        name = _load(session, Account, picks.decider_account).name
        caller = _load(session, User, picks.decider_owner)
        stops.append(Stop(caller, f"Who decides at {name}?", picks.decider_account))
    return stops


def run_tour(assistant: Assistant, stops: list[Stop]) -> list[Answer]:
    """Ask every question of the tour as its caller and print question, caller and answer."""
    answers = []
    for number, stop in enumerate(stops, start=1):
        who = escape(f"{stop.caller.name} ({stop.caller.role}, {stop.caller.id})")
        console.rule(f"[bold]{number}/{len(stops)}[/] · {who} asks")
        console.print(f"[bold cyan]> {escape(stop.question)}[/]\n")
        answer = assistant.ask(stop.question, caller=stop.caller.id)
        show(answer)
        answers.append(answer)
    return answers


def closing_panel(rep: User, manager: User, admin: User | None, as_of: dt.date | None) -> Panel:
    """How to ask your own questions (and start the server) in this world."""
    flag = f" --as-of {as_of.isoformat()}" if as_of else ""
    people = [rep, manager, *([admin] if admin else [])]
    who = ", ".join(f"{escape(u.name)} ([cyan]{escape(u.id)}[/], {u.role})" for u in people)
    commands = Table.grid(padding=(0, 2))
    commands.add_column(style="dim")
    commands.add_column()
    commands.add_row("rep", f'dealwise ask "which deals are stalled?" --user {rep.id}{flag}')
    commands.add_row(
        manager.role, f'dealwise ask "rank my reps by won revenue" --user {manager.id}{flag}'
    )
    if admin is not None:
        commands.add_row("admin", f'dealwise ask "who are our champions?"{flag}')
    commands.add_row("chat", f"dealwise chat --user {rep.id}{flag}   [dim](/user ID, /trace)[/]")
    commands.add_row("server", "dealwise serve   [dim](API, Slack and web chat on :8000)[/]")
    default = "; the admin is the default" if admin else ""
    intro = f"[bold]Ask your own[/] — no API key needed. Users here: {who}{default}."
    return Panel(
        Group(intro, "", commands), title="Your turn", title_align="left", border_style="green"
    )


def _user_ids(session: Session, role: str) -> list[str]:
    return list(session.exec(select(User.id).where(User.role == role).order_by(User.id)).all())


def _manager_of(session: Session, rep_id: str) -> str:
    """The rep's manager, else the first manager, else the first admin, else the rep."""
    rep = session.get(User, rep_id)
    boss = session.get(User, rep.manager_id) if rep and rep.manager_id else None
    if boss is not None and boss.role == "manager":
        return boss.id
    others = _user_ids(session, "manager") or _user_ids(session, "admin") or [rep_id]
    return others[0]


def _money_at_risk(ctx: ToolContext) -> float:
    """What the caller's RFM "At Risk" customers have spent (0 without customers)."""
    from tools.rfm import rfm_table

    table = rfm_table(ctx)
    return float(table.loc[table["segment"] == AT_RISK, "monetary_total"].sum())


def _top(counts: Mapping[str, int]) -> str | None:
    """The id with the highest count (the smallest id among ties), or ``None``."""
    ranked = sorted((-n, key) for key, n in counts.items())
    return ranked[0][1] if ranked else None


def _load(session: Session, table: type[_Row], key: str) -> _Row:
    row = session.get(table, key)
    if row is None:
        raise LookupError(f"{table.__name__} {key!r} vanished from the store")
    return row


def _history_sizes(ctx: ToolContext) -> Counter[str]:
    """Orders plus activities per account in the caller's scope, up to ``as_of``."""
    sizes: Counter[str] = Counter()
    for table, account_id, dated in (
        (Order, col(Order.account_id), col(Order.order_date) <= ctx.as_of),
        (Activity, col(Activity.account_id), col(Activity.occurred_at) < ctx.as_of_end),
    ):
        query = (
            select(col(Account.id), func.count())
            .join(table, account_id == col(Account.id))
            .where(ctx.scope.owner_filter(Account.owner_id), dated)
            .group_by(col(Account.id))
        )
        sizes.update(dict(ctx.session.exec(query).all()))
    return sizes


def _decision_maker_mentions(ctx: ToolContext) -> dict[str, int]:
    """Notes naming a decision maker, per account in the caller's scope, up to ``as_of``."""
    query = (
        select(col(ContactRoleFact.account_id), func.count())
        .join(Account, col(Account.id) == col(ContactRoleFact.account_id))
        .where(
            ctx.scope.owner_filter(Account.owner_id),
            col(ContactRoleFact.role) == "decision_maker",
            col(ContactRoleFact.occurred_at) < ctx.as_of_end,
        )
        .group_by(col(ContactRoleFact.account_id))
    )
    return {str(a): int(n) for a, n in ctx.session.exec(query).all()}


def _largest_open_deal(ctx: ToolContext) -> str | None:
    """The caller's largest open deal with an account (smallest id among ties)."""
    query = (
        select(col(Opportunity.id))
        .join(Stage, col(Stage.name) == col(Opportunity.stage))
        .where(
            ctx.scope.owner_filter(Opportunity.owner_id),
            col(Opportunity.created_at) < ctx.as_of_end,
            col(Opportunity.account_id).is_not(None),
            col(Stage.outcome) == "open",
        )
        .order_by(col(Opportunity.amount_cents).desc(), col(Opportunity.id))
        .limit(1)
    )
    return ctx.session.exec(query).first()
