"""People: our own users (reps in teams, managers, an admin) and the contacts at accounts."""

from __future__ import annotations

import math

import numpy as np

from crm.demo.companies import ascii_slug, pick
from crm.demo.config import Columns, DemoConfig, ids
from crm.demo.names import COUNTRIES, DE, EN, FR, NL, TITLES, Culture
from crm.demo.places import DIAL_CODES
from crm.models import KNOWN_ROLES

JUNIOR_TITLES = ("Office Manager", "Sales Analyst", "Data Engineer", "Operations Manager")
"""Titles that never hold the final say (their off-script roles exclude decision maker)."""
TEAMS = ("Team North", "Team South", "Team East", "Team West", "Team Central")
STANCE_BY_ROLE: dict[str, tuple[float, float, float]] = {
    # P(supportive), P(neutral), P(opposed)
    "decision_maker": (0.4, 0.45, 0.15),
    "champion": (0.9, 0.1, 0.0),
    "influencer": (0.4, 0.45, 0.15),
    "technical_evaluator": (0.35, 0.5, 0.15),
    "user": (0.45, 0.5, 0.05),
    "gatekeeper": (0.15, 0.65, 0.2),
    "blocker": (0.0, 0.15, 0.85),
}
INFLUENCE_BY_ROLE = {
    "decision_maker": "high",
    "champion": "medium",
    "influencer": "medium",
    "technical_evaluator": "medium",
    "user": "low",
    "gatekeeper": "medium",
    "blocker": "high",
}


def person_names(
    rng: np.random.Generator, culture: Culture, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Full name, given name, family name and gender ('f'/'m') of ``n`` people."""
    female = rng.random(n) < 0.45
    given = np.where(
        female,
        np.array(culture.female, dtype=object)[rng.integers(0, len(culture.female), n)],
        np.array(culture.male, dtype=object)[rng.integers(0, len(culture.male), n)],
    )
    family = np.array(culture.family, dtype=object)[rng.integers(0, len(culture.family), n)]
    full = family + " " + given if culture.family_first else given + " " + family
    return full, given, family, np.where(female, "f", "m")


def make_users(cfg: DemoConfig) -> Columns:
    """Reps in teams of five, a manager per team, and one admin.

    10 reps at scale <= 1, growing with sqrt(scale). Ids rep01/mgr01/admin01; Slack ids
    U0REP01/U0MGR01/U0ADM01.
    """
    rng = cfg.rng("users")
    n_reps = max(10, round(10 * math.sqrt(cfg.scale)))
    n_teams = max(2, math.ceil(n_reps / 5))
    n = 1 + n_teams + n_reps
    pool = [(g, f) for c in (EN, DE, FR, NL) for g in (*c.female, *c.male) for f in c.family]
    chosen = rng.choice(len(pool), size=n, replace=False)
    given = np.array([pool[i][0] for i in chosen], dtype=object)
    family = np.array([pool[i][1] for i in chosen], dtype=object)
    width = max(2, len(str(n_reps)))
    user_ids = ["admin01"] + [f"mgr{i + 1:0{width}d}" for i in range(n_teams)]
    user_ids += [f"rep{i + 1:0{width}d}" for i in range(n_reps)]
    team_names = [TEAMS[i] if i < len(TEAMS) else f"Team {i + 1}" for i in range(n_teams)]
    rep_team = np.arange(n_reps) % n_teams
    return {
        "id": np.array(user_ids, dtype=object),
        "name": given + " " + family,
        "email": np.array(
            [
                f"{ascii_slug(g)}.{ascii_slug(f)}@dealwise-demo.com"
                for g, f in zip(given, family, strict=True)
            ],
            dtype=object,
        ),
        "role": np.array(["admin"] + ["manager"] * n_teams + ["rep"] * n_reps, dtype=object),
        "manager_id": np.array(
            [None] * (1 + n_teams) + [user_ids[1 + t] for t in rep_team], dtype=object
        ),
        "team": np.array([None, *team_names, *(team_names[t] for t in rep_team)], dtype=object),
        "slack_user_id": np.array(
            ["U0" + u.upper().replace("ADMIN", "ADM") for u in user_ids], dtype=object
        ),
    }


def make_contacts(cfg: DemoConfig, accounts: Columns) -> Columns:
    """1-6 contacts per account with titles, e-mail, phone and a planted decision role."""
    rng = cfg.rng("contacts")
    per_account = np.clip(rng.poisson(2.0, len(accounts["id"])) + 1, 1, 6)
    account_idx = np.repeat(np.arange(len(per_account)), per_account)
    n = len(account_idx)
    country = accounts["country"][account_idx]
    full = np.empty(n, dtype=object)
    given, family, gender = full.copy(), full.copy(), full.copy()
    for name in np.unique(country):
        rows = np.flatnonzero(country == name)
        full[rows], given[rows], family[rows], gender[rows] = person_names(
            rng, COUNTRIES[name][1], len(rows)
        )
    title = pick(rng, {t: w for t, (w, _) in TITLES.items()}, n)
    role = np.array([TITLES[t][1] for t in title], dtype=object)
    off_role = rng.random(n) < 0.25
    role[off_role] = np.array(KNOWN_ROLES, dtype=object)[
        rng.integers(0, len(KNOWN_ROLES), int(off_role.sum()))
    ]
    junior_dm = (role == "decision_maker") & np.isin(title, JUNIOR_TITLES)
    role[junior_dm] = np.array([TITLES[t][1] for t in title[junior_dm]], dtype=object)
    stance = np.empty(n, dtype=object)
    for r, probs in STANCE_BY_ROLE.items():
        rows = np.flatnonzero(role == r)
        stance[rows] = rng.choice(["supportive", "neutral", "opposed"], size=len(rows), p=probs)
    domain = accounts["_domain"][account_idx]
    email = [
        f"{ascii_slug(g)}.{ascii_slug(f)}@{d}"
        for g, f, d in zip(given, family, domain, strict=True)
    ]
    digits = rng.integers(1_000_000, 9_999_999, n)
    phone = [
        f"+{DIAL_CODES[c]} {p // 10_000:03d} {p % 10_000:04d}"
        for c, p in zip(country, digits, strict=True)
    ]
    return {
        "id": ids("CON", n),
        "account_id": accounts["id"][account_idx],
        "name": _unique_in_account(full, account_idx),
        "title": title,
        "email": np.array(email, dtype=object),
        "phone": np.array(phone, dtype=object),
        "_account": account_idx,
        "_given": given,
        "_family": family,
        "_gender": gender,
        "_role": role,
        "_stance": stance,
        "_influence": np.array([INFLUENCE_BY_ROLE[r] for r in role], dtype=object),
    }


def _unique_in_account(names: np.ndarray, account_idx: np.ndarray) -> np.ndarray:
    """Add a middle initial to repeated names within one account, so notes stay unambiguous."""
    out = names.copy()
    seen: set[tuple[int, str]] = set()
    for i, (a, name) in enumerate(zip(account_idx, names, strict=True)):
        key = (int(a), str(name))
        if key in seen:
            first, _, rest = str(name).partition(" ")
            out[i] = f"{first} {chr(65 + i % 26)}. {rest}"
        seen.add((int(a), str(out[i])))
    return out
