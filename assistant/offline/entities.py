"""Entities in a question, matched against the caller's scoped vocabulary.

Record ids (ACC-00012, OPP-00034, ACT-00001, rep03) are taken as written when the
caller can see them; names are fuzzy-matched (:mod:`assistant.offline.matching`):
accounts, reps (full or first name), teams ("Team North", "north"), products
("Starter"), contacts. Fixed phrases (periods, segments, stages, "by rep", "top 5")
come from :mod:`assistant.offline.phrases`. :attr:`Entities.masked` is the question
with every entity replaced by a placeholder word, which is what the intent model reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from assistant.offline.deal_names import DealKeys, find_deal, match_deal_name
from assistant.offline.matching import PREFIX_SCORE, NameIndex, SpanMatch, match_names
from assistant.offline.phrases import (
    find_group_by,
    find_period,
    find_segment,
    find_stage,
    find_top_n,
)
from assistant.offline.spelling import fix_period_units
from assistant.offline.vocab import Named, Vocabulary
from tools.accounts import normalise_name
from tools.periods import Period

T = TypeVar("T")
_ID = re.compile(r"\b(?:acc|opp|con|act)-\d+\b|\b(?:rep|mgr|admin)\d+\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9']+")
# Product words that name one product on their own (others are ordinary English).
PRODUCT_WORDS = frozenset(
    [
        "starter",
        "professional",
        "enterprise",
        "analytics",
        "connector",
        "mobile",
        "onboarding",
        "training",
        "gateway",
        "sensor",
    ]
)


@dataclass
class Entities:
    """What a question names."""

    masked: str
    account: SpanMatch | None = None
    account_text: str | None = None
    foreign_account: str | None = None
    foreign_deal: str | None = None
    deal_ids: list[str] = field(default_factory=list)
    deal_names: tuple[Named, ...] = ()
    user: SpanMatch | None = None
    team: str | None = None
    product: Named | None = None
    contact: Named | None = None
    note_id: str | None = None
    period: Period | None = None
    period_text: str | None = None
    segment: str | None = None
    stage: str | None = None
    group_by: str | None = None
    top_n: int | None = None

    @property
    def account_id(self) -> str | None:
        """The account named, when exactly one matches."""
        match = self.account.unique if self.account else None
        return match.id if match else None


def extract(question: str, vocab: Vocabulary, as_of: dt.date) -> Entities:
    """Find every entity ``question`` names within ``vocab``."""
    lower = " ".join(question.lower().split())
    found = Entities(masked="")
    lower = _take_ids(lower, vocab, found)
    lower = _take_phrases(fix_period_units(lower), vocab, as_of, found)
    tokens = normalise_name(lower).split()
    tokens = _take_names(tokens, vocab, found)
    found.masked = " ".join(tokens)
    return found


def _prepared(vocab: Vocabulary, name: str, build: Callable[[Vocabulary], T]) -> T:
    """``build(vocab)``, kept with the cached vocabulary: built once per book, not per question."""
    if name not in vocab.prepared:
        vocab.prepared[name] = build(vocab)
    value: T = vocab.prepared[name]
    return value


def _by_id(names: tuple[Named, ...]) -> dict[str, Named]:
    return {n.id.lower(): n for n in names}


def _take_ids(text: str, vocab: Vocabulary, found: Entities) -> str:
    accounts = _prepared(vocab, "account_ids", lambda v: _by_id(v.accounts))
    deals = _prepared(vocab, "deal_ids", lambda v: _by_id(v.deals))
    users = _prepared(vocab, "user_ids", lambda v: _by_id(v.users))
    for raw in _ID.findall(text):
        key = raw.lower()
        if key in accounts:
            found.account = SpanMatch(0, 0, 100.0, (accounts[key],))
            text = text.replace(raw, " accountname ")
        elif key in deals:
            found.deal_ids.append(deals[key].id)
            text = text.replace(raw, " dealname ")
        elif key in users:
            found.user = SpanMatch(0, 0, 100.0, (users[key],))
            text = text.replace(raw, " repname ")
        elif key.startswith("act-"):
            found.note_id = raw.upper()
            text = text.replace(raw, " noteid ")
        elif key.startswith("acc-"):  # not the caller's: the tool will say so
            unknown = Named(raw.upper(), raw.upper(), key)
            found.account = SpanMatch(0, 0, 100.0, (unknown,))
            text = text.replace(raw, " accountname ")
        elif key.startswith("opp-"):
            found.deal_ids.append(raw.upper())
            text = text.replace(raw, " dealname ")
    return text


def _take_phrases(text: str, vocab: Vocabulary, as_of: dt.date, found: Entities) -> str:
    period = find_period(text, as_of)
    if period is not None:
        phrase, found.period = period
        found.period_text = phrase.value
        text = text[: phrase.start] + " period " + text[phrase.end :]
    segment = find_segment(text)
    if segment is not None:
        found.segment = segment.value
        text = text[: segment.start] + " segmentname " + text[segment.end :]
    found.stage = find_stage(text, vocab.stages)
    found.group_by = find_group_by(text)
    found.top_n = find_top_n(text)
    return text


def _take_names(tokens: list[str], vocab: Vocabulary, found: Entities) -> list[str]:
    if not found.deal_ids and found.account is None:
        tokens = _take_deal(tokens, vocab, found)
    if found.account is None and not found.deal_names and found.foreign_deal is None:
        tokens = _take_account(tokens, vocab, found)
    if found.user is None:
        users = _prepared(vocab, "users", lambda v: NameIndex.of(v.users))
        first_names = _prepared(vocab, "first_names", _first_names)
        hits = match_names(tokens, users, prefixes=False) or match_names(
            tokens, first_names, prefixes=False
        )
        if hits:
            found.user = hits[0]
            tokens = _mask(tokens, hits[0], "repname")
    tokens = _take_team(tokens, vocab, found)
    tokens = _take_product(tokens, vocab, found)
    contacts = _prepared(vocab, "contacts", lambda v: NameIndex.of(v.contacts))
    hits = match_names(tokens, contacts, prefixes=False)
    if hits and hits[0].end - hits[0].start > 1 and hits[0].unique:
        found.contact = hits[0].unique
        tokens = _mask(tokens, hits[0], "contactname")
    return tokens


def _first_names(vocab: Vocabulary) -> NameIndex:
    return NameIndex.of([Named(u.id, u.name, u.key.split(" ")[0], u.parent) for u in vocab.users])


def _deal_keys(vocab: Vocabulary) -> DealKeys:
    return DealKeys.of(vocab.deal_keys)


def _other_deal_keys(vocab: Vocabulary) -> DealKeys:
    return DealKeys.of(vocab.other_deal_keys)


def _take_deal(tokens: list[str], vocab: Vocabulary, found: Entities) -> list[str]:
    """A deal named in full: the caller's own, else one outside the book (by name only)."""
    mine = find_deal(tokens, vocab.deals, _prepared(vocab, "deal_keys", _deal_keys))
    if mine is not None:
        found.deal_names = mine.deals
        return [*tokens[: mine.start], "dealname", *tokens[mine.end :]]
    other = match_deal_name(tokens, _prepared(vocab, "other_deal_keys", _other_deal_keys))
    if other is None:
        return tokens
    start, end, _ = other
    found.foreign_deal = " ".join(tokens[start:end]).title()
    return [*tokens[:start], "dealname", *tokens[end:]]


def _take_account(tokens: list[str], vocab: Vocabulary, found: Entities) -> list[str]:
    """The account named, unless an account outside the book matches the words better."""
    hits = match_names(tokens, _prepared(vocab, "accounts", lambda v: NameIndex.of(v.accounts)))
    foreign = _foreign_hit(tokens, vocab, hits[0] if hits else None)
    if foreign is not None:
        found.foreign_account = " ".join(tokens[foreign.start : foreign.end]).title()
        return _mask(tokens, foreign, "accountname")
    if not hits:
        return tokens
    found.account = hits[0]
    found.account_text = " ".join(tokens[hits[0].start : hits[0].end])
    return _mask(tokens, hits[0], "accountname")


def _foreign_hit(tokens: list[str], vocab: Vocabulary, mine: SpanMatch | None) -> SpanMatch | None:
    """An out-of-book account name that beats ``mine`` (any, when nothing in the book matched)."""
    others = _prepared(vocab, "other_accounts", _other_accounts)
    hits = [h for h in match_names(tokens, others) if h.end - h.start > 1 or h.score >= 100]
    return next((h for h in hits if mine is None or _outranks(h, mine)), None)


def _other_accounts(vocab: Vocabulary) -> NameIndex:
    return NameIndex.of([Named("", key, key) for key in vocab.other_account_keys])


def _outranks(foreign: SpanMatch, mine: SpanMatch) -> bool:
    """Whether an out-of-book name explains the question's words better than the caller's.

    It does when the two spans overlap and the outside name covers more of the words the
    caller typed ("Maple Logistics" vs the caller's "Maple Resorts" matched on "maple":
    "logistics" is a word the caller's account lacks), or the same words where the
    caller's name matched only fuzzily (a typo away) and the outside one scores higher.
    A caller's name that holds every typed word (exact, or starting with them) is kept.
    """
    if foreign.end <= mine.start or mine.end <= foreign.start:
        return False
    foreign_len, mine_len = foreign.end - foreign.start, mine.end - mine.start
    if foreign_len != mine_len:
        return foreign_len > mine_len
    return mine.score < PREFIX_SCORE and foreign.score > mine.score


def _team_aliases(vocab: Vocabulary) -> NameIndex:
    aliases = [Named(t.id, t.name, t.key) for t in vocab.teams]
    aliases += [Named(t.id, t.name, t.key.removeprefix("team ")) for t in vocab.teams]
    return NameIndex.of(aliases)


def _take_team(tokens: list[str], vocab: Vocabulary, found: Entities) -> list[str]:
    aliases = _prepared(vocab, "teams", _team_aliases)
    hits = [h for h in match_names(tokens, aliases, prefixes=False) if h.unique]
    if not hits:
        return tokens
    found.team = hits[0].names[0].id
    return _mask(tokens, hits[0], "teamname")


def _product_aliases(vocab: Vocabulary) -> NameIndex:
    aliases = [Named(p.id, p.name, p.key) for p in vocab.products]
    aliases += [
        Named(p.id, p.name, word) for p in vocab.products for word in p.key.split()
        if word in PRODUCT_WORDS
    ]  # fmt: skip
    return NameIndex.of(aliases)


def _take_product(tokens: list[str], vocab: Vocabulary, found: Entities) -> list[str]:
    aliases = _prepared(vocab, "products", _product_aliases)
    hits = [h for h in match_names(tokens, aliases, prefixes=False) if h.unique]
    if not hits:
        return tokens
    found.product = hits[0].names[0]
    return _mask(tokens, hits[0], "productname")


def _mask(tokens: list[str], hit: SpanMatch, placeholder: str) -> list[str]:
    return [*tokens[: hit.start], placeholder, *tokens[hit.end :]]
