"""``duplicate_accounts``: likely duplicate accounts by name, contact email domain and phone.

Evidence per pair of the caller's accounts:

* name: rapidfuzz ``token_sort_ratio`` (0-100) of :func:`tools.accounts.normalise_name`.
  Compared only within blocks of the same first name token (a block larger than
  :data:`BLOCK_MAX` is split by its first two tokens; what is still larger is compared
  on exact normalised names only), so 100k accounts cost seconds, not O(n^2);
* domain: contacts share a company email domain (free-mail domains ignored), score 90;
* phone: contacts share a phone number (its last 9 digits, at least 7 digits), score 95.

A pair's score is its best evidence plus 5 for each further kind of evidence, capped at
100. Pairs linked as parent and subsidiary are known relations, not duplicates, and are
skipped, as are domains or phones shared by more than :data:`SHARED_MAX` accounts.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process
from sqlmodel import col, select

from crm.models import Account, Contact
from tools.accounts import normalise_name
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import InvalidArgument

BLOCK_MAX = 2000
SHARED_MAX = 20
DOMAIN_SCORE, PHONE_SCORE, BONUS = 90, 95, 5
FREE_MAIL = frozenset(
    {"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
     "icloud.com", "aol.com", "gmx.de", "gmx.net", "web.de", "proton.me", "protonmail.com"}
)  # fmt: skip

Pair = tuple[str, str]


class DuplicatePair(BaseModel):
    """Two accounts that are probably the same company."""

    account_id_a: str = Field(description="First account id (the smaller id).")
    name_a: str = Field(description="First account's name.")
    account_id_b: str = Field(description="Second account id.")
    name_b: str = Field(description="Second account's name.")
    score: float = Field(description="Likelihood of being duplicates, 0-100.")
    name_similarity: float = Field(description="Similarity of the normalised names, 0-100.")
    reasons: list[str] = Field(description="The evidence, in words.")


class DuplicateAccounts(BaseModel):
    """Likely duplicate accounts among the caller's accounts, most likely first."""

    accounts_checked: int = Field(description="Accounts compared (the caller's scope).")
    total_pairs: int = Field(description="Pairs at or above min_score (the list is limited).")
    pairs: list[DuplicatePair] = Field(description="The most likely duplicate pairs.")


def _block_pairs(ids: list[str], names: list[str], min_score: int) -> dict[Pair, float]:
    scores = process.cdist(
        names, names, scorer=fuzz.token_sort_ratio, score_cutoff=min_score, dtype=np.uint8
    )
    i, j = np.nonzero(np.triu(scores, k=1))
    return {_pair(ids[a], ids[b]): float(scores[a, b]) for a, b in zip(i, j, strict=True)}


def _all_pairs(ids: Iterable[str]) -> list[Pair]:
    return [_pair(a, b) for a, b in itertools.combinations(sorted(ids), 2)]


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def _compare(block: pd.DataFrame, min_score: int, depth: int) -> dict[Pair, float]:
    if len(block) < 2:
        return {}
    if len(block) <= BLOCK_MAX:
        return _block_pairs(list(block["id"]), list(block["norm"]), min_score)
    found: dict[Pair, float] = {}
    if depth == 1:
        key = block["norm"].str.split().str[:2].str.join(" ")
        for _, sub in block.groupby(key):
            found |= _compare(sub, min_score, depth=2)
        return found
    for _, same in block.groupby("norm"):
        if len(same) <= SHARED_MAX:
            found |= dict.fromkeys(_all_pairs(same["id"]), 100.0)
    return found


def name_pairs(accounts: pd.DataFrame, min_score: int) -> dict[Pair, float]:
    """Similar-name pairs of ``accounts`` (columns id, norm), compared within blocks."""
    found: dict[Pair, float] = {}
    for _, block in accounts.groupby(accounts["norm"].str.split().str[0]):
        found |= _compare(block, min_score, depth=1)
    return found


def shared_pairs(owners: pd.DataFrame, column: str) -> dict[Pair, set[str]]:
    """Pairs of accounts whose contacts share a value of ``column`` (and which values)."""
    found: dict[Pair, set[str]] = defaultdict(set)
    groups = owners.dropna(subset=[column]).groupby(column)["account_id"].unique()
    for value, ids in groups.items():
        if 2 <= len(ids) <= SHARED_MAX:
            for pair in _all_pairs(ids):
                found[pair].add(str(value))
    return found


def contact_keys(ctx: ToolContext) -> pd.DataFrame:
    """The caller's contacts as (account_id, domain, phone) with normalised keys."""
    stmt = (
        select(col(Contact.account_id), col(Contact.email), col(Contact.phone))
        .join(Account, col(Account.id) == col(Contact.account_id))
        .where(ctx.scope.owner_filter(col(Account.owner_id)))
    )
    rows = ctx.session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=["account_id", "email", "phone"], dtype="string")
    domain = frame["email"].str.strip().str.lower().str.extract(r"@([^@\s]+\.[^@\s]+)$")[0]
    frame["domain"] = domain.where(~domain.isin(FREE_MAIL))
    digits = frame["phone"].str.replace(r"\D", "", regex=True)
    frame["phone_key"] = digits.str[-9:].where(digits.str.len() >= 7)
    return frame


def _score(name: float, domains: set[str], phones: set[str], min_score: int) -> float:
    kinds = [name >= min_score, bool(domains), bool(phones)]
    evidence = [
        s for s, present in zip((name, DOMAIN_SCORE, PHONE_SCORE), kinds, strict=True) if present
    ]
    if not evidence:
        return name
    return float(min(100, max(evidence) + BONUS * (len(evidence) - 1)))


@tool
def duplicate_accounts(
    ctx: ToolContext, *, limit: int = 20, min_score: int = 85
) -> DuplicateAccounts:
    """Find likely duplicate accounts (similar names, shared email domain or phone).

    Use for data-quality questions: "do we have duplicate accounts", "is Acme in the CRM twice".

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        limit: Most pairs to return (1-100).
        min_score: Lowest likelihood (50-100) for a pair to be reported.
    """
    if not 1 <= limit <= 100 or not 50 <= min_score <= 100:
        raise InvalidArgument("limit must be 1-100 and min_score 50-100")
    rows = ctx.session.execute(
        select(col(Account.id), col(Account.name), col(Account.parent_id)).where(
            ctx.scope.owner_filter(col(Account.owner_id))
        )
    ).all()
    info: dict[str, tuple[str, str | None, str]] = {
        id_: (name, parent, normalise_name(name)) for id_, name, parent in rows
    }
    accounts = pd.DataFrame(
        {"id": list(info), "norm": [v[2] for v in info.values()]}, dtype="string"
    )
    contacts = contact_keys(ctx)
    names = name_pairs(accounts, min_score)
    domains = shared_pairs(contacts, "domain")
    phones = shared_pairs(contacts, "phone_key")
    found = []
    for a, b in set(names) | set(domains) | set(phones):
        if info[a][1] == b or info[b][1] == a:
            continue
        name_score = names.get((a, b))
        if name_score is None:
            name_score = fuzz.token_sort_ratio(info[a][2], info[b][2])
        d, p = domains.get((a, b), set()), phones.get((a, b), set())
        score = _score(name_score, d, p, min_score)
        if score >= min_score:
            found.append(
                DuplicatePair(
                    account_id_a=a,
                    name_a=info[a][0],
                    account_id_b=b,
                    name_b=info[b][0],
                    score=score,
                    name_similarity=round(name_score, 1),
                    reasons=_reasons(info[a][2], info[b][2], name_score, d, p),
                )
            )
    found.sort(key=lambda pair: (-pair.score, pair.account_id_a, pair.account_id_b))
    return DuplicateAccounts(
        accounts_checked=len(accounts), total_pairs=len(found), pairs=found[:limit]
    )


def _reasons(norm_a: str, norm_b: str, name: float, d: set[str], p: set[str]) -> list[str]:
    reasons = [f"normalised names {norm_a!r} and {norm_b!r} are {name:.0f}% similar"]
    if d:
        reasons.append("contacts share the email domain " + ", ".join(sorted(d)))
    if p:
        endings = ", ".join(x[-4:] for x in sorted(p))
        reasons.append("contacts share a phone number ending " + endings)
    return reasons
