"""Turning matched entities into the one account or deal a tool needs, or a question back."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.offline.entities import Entities
from assistant.offline.vocab import Named, Vocabulary

MAX_LISTED = 5


@dataclass(frozen=True)
class Pick:
    """The record meant, or why there is none: a question back or a name to look up."""

    id: str | None = None
    ask: str | None = None
    lookup: str | None = None
    lookup_tool: str | None = "find_account"


def pick_account(found: Entities, focus: dict[str, str]) -> Pick:
    """The account the question is about (named, or the named deal's, else the one in focus)."""
    parents = {d.parent for d in found.deal_names}
    if len(parents) == 1 and None not in parents:
        return Pick(id=parents.pop())
    if found.foreign_deal:
        return Pick(lookup=found.foreign_deal, lookup_tool=None)
    if found.account is not None:
        if found.account.unique:
            return Pick(id=found.account.unique.id)
        return Pick(ask=_which("account", found.account.names))
    if found.foreign_account:
        return Pick(lookup=found.foreign_account)
    if focus.get("account_id"):
        return Pick(id=focus["account_id"])
    return Pick(ask="Which account do you mean? Name it or give its id (e.g. ACC-00012).")


def pick_deal(found: Entities, vocab: Vocabulary, focus: dict[str, str]) -> Pick:
    """The deal the question is about: its id, its account (+ product), else the one in focus."""
    if found.deal_ids:
        return Pick(id=found.deal_ids[0])
    if found.deal_names:
        return _one_of(found.deal_names)
    if found.foreign_deal:
        return Pick(lookup=found.foreign_deal, lookup_tool=None)
    if found.account is None:
        if found.foreign_account:
            return Pick(lookup=found.foreign_account)
        if focus.get("opportunity_id"):
            return Pick(id=focus["opportunity_id"])
        if focus.get("account_id"):
            return _deal_of(vocab, {focus["account_id"]}, found.product, "that account")
        return Pick(ask="Which deal do you mean? Name the account or give the deal id.")
    ids = {n.id for n in found.account.names}
    label = found.account.unique.name if found.account.unique else (found.account_text or "it")
    return _deal_of(vocab, ids, found.product, label)


def _deal_of(vocab: Vocabulary, account_ids: set[str], product: Named | None, label: str) -> Pick:
    deals = [d for d in vocab.deals if d.parent in account_ids]
    if product is not None:
        deals = [d for d in deals if d.product == product.id]
    if not deals:
        return Pick(ask=f"I found no deal at {label} in your book. Which deal do you mean?")
    return _one_of(tuple(deals))


def _one_of(deals: tuple[Named, ...]) -> Pick:
    """The one deal meant among ``deals`` (the open one if only one is open), else ask."""
    pool = [d for d in deals if d.is_open] or list(deals)
    if len(pool) == 1:
        return Pick(id=pool[0].id)
    return Pick(ask=_which("deal", tuple(pool)))


def _which(kind: str, names: tuple[Named, ...]) -> str:
    listed = "; ".join(f"{n.name} ({n.id})" for n in names[:MAX_LISTED])
    more = " or another one" if len(names) > MAX_LISTED else ""
    return f"Which {kind} do you mean: {listed}{more}?"
