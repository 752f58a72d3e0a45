"""Marketing: leads with engagement counters (some became accounts) and monthly spend."""

from __future__ import annotations

import numpy as np

from crm.demo.companies import ascii_slug, pick, weights_of
from crm.demo.config import DAY, Columns, DemoConfig, ids, work_time
from crm.demo.names import COUNTRIES, EN
from crm.demo.people import person_names
from crm.demo.places import COMPANY_STEMS, INDUSTRIES

SOURCES = {
    "web": 0.3,
    "paid_search": 0.2,
    "event": 0.15,
    "referral": 0.12,
    "social": 0.1,
    "partner": 0.08,
    "email": 0.05,
}
STATUSES = ("new", "contacted", "qualified", "converted", "disqualified")
ENGAGEMENT = np.array(
    [
        # email opens, page views, form submissions, events attended (means) per status
        [2.0, 3.0, 0.4, 0.05],
        [5.0, 6.0, 0.9, 0.2],
        [10.0, 15.0, 2.0, 0.6],
        [15.0, 24.0, 3.0, 1.2],
        [1.5, 2.0, 0.3, 0.05],
    ]
)
CHANNELS = {
    # monthly spend in EUR at scale 1
    "paid_search": 18_000,
    "social": 9_000,
    "events": 12_000,
    "content": 6_000,
    "email": 2_000,
    "partner": 5_000,
}
EVENT_MONTHS = (3, 4, 9, 10)


def make_leads(cfg: DemoConfig, accounts: Columns) -> Columns:
    """Leads over the history; converted ones point at the account they became."""
    rng = cfg.rng("leads")
    n = cfg.count(600, minimum=20)
    eligible = np.flatnonzero(
        (accounts["_behaviour"] != "prospect")
        & (accounts["created_at"] > cfg.start.astype("datetime64[s]"))
        & (accounts["parent_id"] == None)  # noqa: E711  (numpy elementwise comparison)
    )
    n_conv = min(len(eligible), round(n * 0.12))
    converted = rng.choice(eligible, size=n_conv, replace=False)
    status = rng.choice([0, 1, 2, 4], size=n, p=[0.22, 0.3, 0.18, 0.3])
    status[:n_conv] = 3
    created = cfg.start + (rng.random(n) ** 0.8 * cfg.history_days).astype(np.int64) * DAY
    created[:n_conv] = (
        accounts["created_at"][converted].astype("datetime64[D]")
        - rng.integers(14, 120, n_conv) * DAY
    )
    recent = created > cfg.today - 60 * DAY
    status[(status == 0) & ~recent] = 4
    industry = pick(rng, weights_of(INDUSTRIES), n)
    country = pick(rng, weights_of(COUNTRIES), n)
    company = (
        np.array(COMPANY_STEMS, dtype=object)[rng.integers(0, len(COMPANY_STEMS), n)]
        + " "
        + np.array([INDUSTRIES[i][1][0] for i in industry], dtype=object)
    )
    employees = np.clip(rng.lognormal(np.log(150), 1.2, n), 5, 50_000).astype(np.int64)
    company[:n_conv] = accounts["name"][converted]
    industry[:n_conv], country[:n_conv] = (
        accounts["industry"][converted],
        accounts["country"][converted],
    )
    employees[:n_conv] = accounts["employees"][converted]
    full, given, family, _ = person_names(rng, EN, n)
    counts = rng.poisson(ENGAGEMENT[status])
    return {
        "id": ids("LEAD", n),
        "name": full,
        "company": company,
        "email": np.array(
            [
                f"{ascii_slug(g)}.{ascii_slug(f)}@{ascii_slug(c)}.com"
                for g, f, c in zip(given, family, company, strict=True)
            ],
            dtype=object,
        ),
        "source": pick(rng, SOURCES, n),
        "created_at": work_time(rng, np.maximum(created, cfg.start - 120 * DAY)),
        "status": np.array(STATUSES, dtype=object)[status],
        "converted_account_id": np.concatenate(
            [accounts["id"][converted], np.full(n - n_conv, None)]
        ),
        "industry": industry,
        "employees": employees,
        "country": country,
        "email_opens": counts[:, 0],
        "page_views": counts[:, 1],
        "form_submissions": counts[:, 2],
        "events_attended": counts[:, 3],
    }


def make_spend(cfg: DemoConfig) -> Columns:
    """Monthly spend per channel for every month that ended by as_of.

    Events peak in spring and autumn; budgets grow ~10% a year.
    """
    rng = cfg.rng("marketing_spend")
    months = np.arange(cfg.start.astype("datetime64[M]"), cfg.today.astype("datetime64[M]"))
    month_of_year = months.astype(int) % 12 + 1
    growth = 1.1 ** ((months - months[0]).astype(int) / 12)
    rows: dict[str, list[np.ndarray]] = {
        "period_start": [],
        "period_end": [],
        "channel": [],
        "amount_cents": [],
    }
    for channel, base in CHANNELS.items():
        shape = (
            np.where(np.isin(month_of_year, EVENT_MONTHS), 2.5, 0.3) if channel == "events" else 1.0
        )
        amount = base * cfg.scale * growth * shape * rng.lognormal(0, 0.15, len(months))
        rows["period_start"].append(months.astype("datetime64[D]"))
        rows["period_end"].append((months + 1).astype("datetime64[D]") - DAY)
        rows["channel"].append(np.full(len(months), channel, dtype=object))
        rows["amount_cents"].append(np.rint(amount).astype(np.int64) * 100)
    return {k: np.concatenate(v) for k, v in rows.items()}
