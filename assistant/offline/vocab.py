"""The caller's scoped vocabulary: accounts, deals, contacts, reps, teams and products.

Entities in a question are matched against these lists only, so a rep's question can
only resolve to the rep's own records. Lists are cached per (store, scope, as_of) and
rebuilt when a cheap fingerprint of the store (row counts) changes; the fingerprint is
itself re-checked every few seconds or at once after this process writes
(:func:`crm.revision.remembered`). Accounts include those
where the caller owns a deal (the deal may be named by its account). The unscoped
lists are :attr:`Vocabulary.other_account_keys` and :attr:`Vocabulary.other_deal_keys`:
bare normalised names of accounts and deals outside the scope, used only to recognise
that a question names a record that is "not in your book" (no id, owner or figure is
ever taken from them, and the answer repeats only the words the caller typed).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, not_
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from crm.models import Account, Contact, Opportunity, Product, Stage, User
from crm.revision import forget, remembered
from tools.accounts import normalise_name
from tools.context import ToolContext

CACHE_SIZE = 64


@dataclass(frozen=True)
class Named:
    """One record the caller may name: id, display name, matching key and a parent id."""

    id: str
    name: str
    key: str
    parent: str | None = None
    is_open: bool = False
    product: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Everything a question may name, restricted to the caller's scope."""

    accounts: tuple[Named, ...]
    deals: tuple[Named, ...]
    contacts: tuple[Named, ...]
    users: tuple[Named, ...]
    teams: tuple[Named, ...]
    products: tuple[Named, ...]
    stages: tuple[str, ...]
    other_account_keys: tuple[str, ...]
    deal_keys: tuple[str, ...] = ()
    other_deal_keys: tuple[str, ...] = ()
    prepared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Matching indexes built from the lists above on first use (see ``entities``)."""


def name_key(name: str) -> str:
    """The matching key of a name: normalised, without trailing initials ("K.K.", "B.V.")."""
    tokens = normalise_name(name).split()
    while len(tokens) > 1 and len(tokens[-1]) == 1:
        tokens.pop()
    return " ".join(tokens)


_CACHE: OrderedDict[tuple[Any, ...], Vocabulary] = OrderedDict()


def vocabulary(ctx: ToolContext) -> Vocabulary:
    """The caller's vocabulary, from the cache when the store has not changed."""
    owners = None if ctx.scope.owner_ids is None else tuple(sorted(ctx.scope.owner_ids))
    bind = ctx.session.get_bind()
    counts = remembered(bind.engine, "vocabulary", _COUNTED, lambda: _fingerprint(ctx))
    key = (str(bind.engine.url), id(bind.engine), owners, ctx.as_of, counts)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    vocab = _load(ctx)
    _CACHE[key] = vocab
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return vocab


def clear_cache() -> None:
    """Forget every cached vocabulary and the store fingerprints behind them."""
    _CACHE.clear()
    forget()


_COUNTED = tuple(m.__tablename__ for m in (Account, Opportunity, Contact, User, Product))


def _fingerprint(ctx: ToolContext) -> tuple[Any, ...]:
    counts = [
        select(func.count()).select_from(table).scalar_subquery()
        for table in (Account, Opportunity, Contact, User, Product)
    ]
    row = ctx.session.execute(select(*counts)).one()
    return tuple(row)


def _load(ctx: ToolContext) -> Vocabulary:
    session, scope = ctx.session, ctx.scope
    accounts = session.execute(
        select(col(Account.id), col(Account.name), col(Account.owner_id)).order_by(col(Account.id))
    ).all()
    deals = session.execute(
        sa_select(
            col(Opportunity.id), col(Opportunity.name), col(Opportunity.account_id),
            col(Stage.outcome), col(Opportunity.product_id),
        )
        .join(Stage, col(Stage.name) == col(Opportunity.stage))
        .where(scope.owner_filter(col(Opportunity.owner_id)),
               col(Opportunity.created_at) < ctx.as_of_end)
        .order_by(col(Opportunity.id))
    ).all()  # fmt: skip
    mine = [(id_, name) for id_, name, owner in accounts if scope.allows(owner)]
    visible_ids = [id_ for id_, _ in mine]
    nameable = {account for _, _, account, *_ in deals} | set(visible_ids)
    others = sorted({name_key(name) for id_, name, _ in accounts if id_ not in nameable})
    contacts = session.execute(
        select(col(Contact.id), col(Contact.name), col(Contact.account_id))
        .where(col(Contact.account_id).in_(visible_ids))
        .order_by(col(Contact.id))
    ).all()
    other_deals = session.execute(
        select(col(Opportunity.name))
        .where(not_(scope.owner_filter(col(Opportunity.owner_id))),
               col(Opportunity.created_at) < ctx.as_of_end)
        .distinct()
    ).scalars()  # fmt: skip
    users = session.execute(
        select(col(User.id), col(User.name), col(User.team)).where(not_(col(User.role) == "admin"))
    ).all()
    products = session.execute(select(col(Product.id), col(Product.name))).all()
    stages = session.execute(select(col(Stage.name)).order_by(col(Stage.position))).scalars()
    deal_keys = {name_key(name) for _, name, *_ in deals}
    return Vocabulary(
        accounts=tuple(Named(i, n, name_key(n)) for i, n, _ in accounts if i in nameable),
        deals=tuple(
            Named(i, n, name_key(n), a, outcome == "open", p) for i, n, a, outcome, p in deals
        ),
        contacts=tuple(Named(i, n, name_key(n), a) for i, n, a in contacts),
        users=tuple(Named(i, n, name_key(n), t) for i, n, t in sorted(users)),
        teams=tuple(Named(t, t, name_key(t)) for t in sorted({t for *_, t in users if t})),
        products=tuple(Named(i, n, name_key(n)) for i, n in sorted(products)),
        stages=tuple(stages),
        other_account_keys=tuple(others),
        deal_keys=tuple(sorted(deal_keys)),
        other_deal_keys=tuple(sorted({name_key(n) for n in other_deals} - deal_keys)),
    )
