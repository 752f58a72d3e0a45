"""Find an account by id or by a fuzzy name: :func:`resolve_account` and ``find_account``.

Names are compared after :func:`normalise_name` (case, accents, punctuation and legal
suffixes such as Inc, GmbH, Ltd, AG or Co removed) with rapidfuzz's ``WRatio`` (0-100),
over the caller's scoped accounts only. An exact id wins outright; otherwise the best
name is taken when it scores at least :data:`MIN_SCORE` and no other account scores
the same (then :class:`tools.errors.Ambiguous` lists the tied candidates).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process
from sqlmodel import col, select

from crm.models import Account
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import Ambiguous, InvalidArgument, NotFound

MIN_SCORE = 75.0
"""Lowest name similarity (0-100) that counts as a match."""

# fmt: off
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc",
    "llp", "lp", "plc", "gmbh", "mbh", "ag", "kg", "kgaa", "se", "sa", "sas", "sarl", "srl",
    "spa", "bv", "nv", "oy", "oyj", "ab", "as", "asa", "aps", "pty", "pte", "kk", "holding",
    "holdings", "group", "and",
})
# fmt: on
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_name(name: str) -> str:
    """Lower-case, strip accents and punctuation, drop a leading "the" and trailing suffixes.

    >>> normalise_name("The Müller GmbH & Co. KG")
    'muller'
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    tokens = _NON_ALNUM.sub(" ", ascii_name.lower().replace("&", " and ")).split()
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in LEGAL_SUFFIXES:
        tokens.pop()
    return " ".join(tokens)


class AccountCandidate(BaseModel):
    """One account that may be the one meant."""

    account_id: str = Field(description="Account id.")
    name: str = Field(description="Account name as stored.")
    score: float = Field(description="Similarity to the query, 0-100 (100 = exact).")
    match: Literal["id", "name"] = Field(description="Whether the id or the name matched.")


def rank_accounts(ctx: ToolContext, query: str, limit: int) -> list[AccountCandidate]:
    """The caller's accounts best matching ``query`` (exact id first), best first."""
    query = query.strip()
    rows = ctx.session.execute(
        select(col(Account.id), col(Account.name)).where(
            ctx.scope.owner_filter(col(Account.owner_id))
        )
    ).all()
    by_id = {id_: name for id_, name in rows}
    if query in by_id:
        return [AccountCandidate(account_id=query, name=by_id[query], score=100.0, match="id")]
    ids = list(by_id)
    choices = [normalise_name(name) for name in by_id.values()]
    hits = process.extract(
        normalise_name(query),
        choices,
        scorer=fuzz.WRatio,
        processor=None,
        limit=limit,
        score_cutoff=MIN_SCORE,
    )
    hits.sort(key=lambda hit: (-hit[1], ids[hit[2]]))
    return [
        AccountCandidate(account_id=ids[i], name=by_id[ids[i]], score=round(score, 1), match="name")
        for _, score, i in hits
    ]


def resolve_account(ctx: ToolContext, query: str) -> Account:
    """The one scoped account meant by ``query`` (an id or a name, typos allowed).

    Raises:
        NotFound: Nothing in the caller's scope is close enough.
        Ambiguous: Several accounts match equally well (``candidates`` lists them).
    """
    candidates = rank_accounts(ctx, query, limit=10)
    if not candidates:
        raise NotFound("account", query)
    tied = [c for c in candidates if c.score == candidates[0].score]
    if len(tied) > 1:
        raise Ambiguous("account", query, [(c.account_id, c.name) for c in tied])
    account = ctx.session.get(Account, candidates[0].account_id)
    if account is None:  # deleted between the two queries
        raise NotFound("account", query)
    return account


class AccountMatches(BaseModel):
    """Accounts matching a search, best first."""

    query: str = Field(description="The search as given.")
    resolved_account_id: str | None = Field(
        description="The account meant, when one candidate is clearly best; else null."
    )
    candidates: list[AccountCandidate] = Field(description="Matching accounts, best first.")


@tool
def find_account(ctx: ToolContext, *, query: str, limit: int = 5) -> AccountMatches:
    """Find accounts by id or by name, tolerating typos, case and suffixes like Inc or GmbH.

    Use first whenever the user names a company, to get the account id other tools need.
    When resolved_account_id is null, ask the user which candidate they mean.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        query: An account id or (part of) a company name.
        limit: Most candidates to return (1-20).
    """
    if not 1 <= limit <= 20:
        raise InvalidArgument(f"limit must be between 1 and 20, got {limit}")
    candidates = rank_accounts(ctx, query, limit)
    clear = len(candidates) == 1 or (
        len(candidates) > 1 and candidates[0].score > candidates[1].score
    )
    return AccountMatches(
        query=query,
        resolved_account_id=candidates[0].account_id if clear else None,
        candidates=candidates,
    )
