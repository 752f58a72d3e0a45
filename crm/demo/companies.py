"""Accounts: industries, countries, sizes, group hierarchies, owners and planted behaviours."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import numpy as np

from crm.demo.config import DAY, Columns, DemoConfig, ids, or_none, work_time
from crm.demo.names import COUNTRIES
from crm.demo.places import CITIES, COMPANY_STEMS, DOMAINS, INDUSTRIES, ZH_COMPANY_STEMS

BEHAVIOURS: dict[str, float] = {
    "loyal_high_value": 0.10,
    "growing_new": 0.10,
    "churned": 0.10,
    "one_off": 0.12,
    "seasonal": 0.08,
    "steady": 0.20,
    "prospect": 0.30,
}
"""Planted account behaviours and their shares (``prospect`` = never ordered)."""

BEHAVIOUR_NAMES = np.array(list(BEHAVIOURS), dtype=object)


def pick(rng: np.random.Generator, weights: Mapping[str, float], n: int) -> np.ndarray:
    """Draw ``n`` keys of ``weights`` with probability proportional to their weight."""
    w = np.array(list(weights.values()), dtype=float)
    return np.array(list(weights), dtype=object)[rng.choice(len(w), size=n, p=w / w.sum())]


def weights_of(table: Mapping[str, tuple[float, object, object]]) -> dict[str, float]:
    """The weights (first tuple items) of a name-pool table."""
    return {key: value[0] for key, value in table.items()}


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (for e-mail addresses and domains)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _group_layout(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Parent index per account (-1 = none) and an is-parent flag.

    About 6% of accounts head a group of 2-6 subsidiaries laid out right after the parent.
    """
    parent = np.full(n, -1)
    is_parent = np.zeros(n, dtype=bool)
    pos = 0
    for size in rng.integers(2, 7, size=max(1, round(n * 0.06))):
        if pos + size + 1 > n:
            break
        is_parent[pos] = True
        parent[pos + 1 : pos + 1 + size] = pos
        pos += size + 1 + int(rng.integers(0, 12))
    return parent, is_parent


def _names(
    rng: np.random.Generator, country: np.ndarray, industry: np.ndarray, parent: np.ndarray
) -> np.ndarray:
    """Company names: stem + industry word + legal form; subsidiaries carry the group stem."""
    n = len(country)
    stems = np.array(COMPANY_STEMS, dtype=object)[rng.integers(0, len(COMPANY_STEMS), n)]
    china = country == "China"
    stems[china] = np.array(ZH_COMPANY_STEMS, dtype=object)[
        rng.integers(0, len(ZH_COMPANY_STEMS), int(china.sum()))
    ]
    has_parent = parent >= 0
    stems[has_parent] = stems[parent[has_parent]]
    word_pick = rng.integers(0, 4, n)
    names = []
    for i in range(n):
        suffix = COUNTRIES[country[i]][2]
        word = INDUSTRIES[industry[i]][1][word_pick[i]]
        names.append(f"{stems[i]} {word} {suffix}")
    out = np.array(names, dtype=object)
    is_parent = np.zeros(n, dtype=bool)
    is_parent[parent[has_parent]] = True
    out[is_parent] = np.array([f"{s} Group" for s in stems[is_parent]], dtype=object)
    return _dedupe(out, country)


def _dedupe(names: np.ndarray, country: np.ndarray) -> np.ndarray:
    """Make names unique by inserting a city (then a number) before the legal form."""
    seen: dict[str, int] = {}
    out = names.copy()
    for i, name in enumerate(names):
        k = seen.get(name, 0)
        seen[name] = k + 1
        if k:
            cities = CITIES[country[i]]
            extra = cities[(k - 1) % len(cities)]
            if k > len(cities):
                extra += f" {(k - 1) // len(cities) + 1}"
            out[i] = f"{name} ({extra})"
    return out


def _active_window(
    cfg: DemoConfig, rng: np.random.Generator, behaviour: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """First and last day each account may order (prospects: an empty window)."""
    n = len(behaviour)
    start, today = cfg.start, cfg.today
    since_before = start - rng.integers(0, 3 * 365, n) * DAY
    first = since_before.copy()
    last = np.full(n, today)
    growing = behaviour == "growing_new"
    first[growing] = today - rng.integers(120, 540, int(growing.sum())) * DAY
    churned = behaviour == "churned"
    history = cfg.history_days
    churn_back = rng.integers(300, max(301, history - 150), int(churned.sum()))
    last[churned] = today - churn_back * DAY
    one_off = behaviour == "one_off"
    first[one_off] = start + rng.integers(0, history, int(one_off.sum())) * DAY
    last[one_off] = first[one_off]
    prospect = behaviour == "prospect"
    first[prospect] = start + rng.integers(0, history, int(prospect.sum())) * DAY
    last[prospect] = first[prospect] - DAY
    return first, last


def make_accounts(cfg: DemoConfig, rep_ids: np.ndarray) -> Columns:
    """Generate the accounts (private columns: behaviour, active window, domain, peak month)."""
    rng = cfg.rng("accounts")
    n = cfg.count(200, minimum=20)
    parent, is_parent = _group_layout(rng, n)
    country = pick(rng, weights_of(COUNTRIES), n)
    industry = pick(rng, weights_of(INDUSTRIES), n)
    has_parent = parent >= 0
    industry[has_parent] = industry[parent[has_parent]]
    behaviour = pick(rng, BEHAVIOURS, n)
    sub_prospect = has_parent & (rng.random(n) < 0.45)
    behaviour[sub_prospect] = "prospect"
    behaviour[is_parent & (behaviour == "prospect")] = "loyal_high_value"
    employees = np.clip(rng.lognormal(np.log(220), 1.2, n), 8, 150_000).astype(np.int64)
    employees[is_parent] *= 6
    rev_per_head = np.array([INDUSTRIES[i][2] for i in industry])
    revenue = employees * rev_per_head * rng.lognormal(0, 0.3, n)
    owner = rep_ids[rng.integers(0, len(rep_ids), n)]
    same_owner = has_parent & (rng.random(n) < 0.7)
    owner[same_owner] = owner[parent[same_owner]]
    first, last = _active_window(cfg, rng, behaviour)
    created = work_time(rng, first - rng.integers(10, 90, n) * DAY)
    account_ids = ids("ACC", n)
    names = _names(rng, country, industry, parent)
    return {
        "id": account_ids,
        "name": names,
        "industry": industry,
        "country": country,
        "employees": employees,
        "annual_revenue_cents": (revenue * 100).round(-5).astype(np.int64),
        "parent_id": or_none(has_parent, account_ids[np.maximum(parent, 0)]),
        "owner_id": owner,
        "created_at": created,
        "_behaviour": behaviour,
        "_first": first,
        "_last": last,
        "_peak_month": rng.integers(1, 13, n),
        "_size": np.log(employees.astype(float)),
        "_domain": np.array(
            [
                ascii_slug(" ".join(s.split(" ")[:2])) + DOMAINS[c]
                for s, c in zip(names, country, strict=True)
            ],
            dtype=object,
        ),
    }
