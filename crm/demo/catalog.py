"""What the demo company sells: a catalogue of products in families, and the pipeline stages."""

from __future__ import annotations

import numpy as np

from crm.demo.config import Columns

PRODUCTS: tuple[tuple[str, str, str, int, int, float], ...] = (
    # id, name, family, list price (EUR), unit cost (EUR), weight in repeat orders
    ("PRD-STARTER", "Insight Platform Starter", "Platform", 12_000, 2_400, 0.10),
    ("PRD-PRO", "Insight Platform Professional", "Platform", 36_000, 6_500, 0.07),
    ("PRD-ENT", "Insight Platform Enterprise", "Platform", 90_000, 15_000, 0.03),
    ("PRD-ANALYTICS", "Advanced Analytics Add-on", "Add-ons", 8_000, 1_200, 0.12),
    ("PRD-CONNECT", "Data Connector Pack", "Add-ons", 4_500, 700, 0.14),
    ("PRD-MOBILE", "Field Mobile Add-on", "Add-ons", 3_000, 450, 0.10),
    ("PRD-ONBOARD", "Onboarding Package", "Services", 6_000, 3_600, 0.08),
    ("PRD-TRAINING", "Training Day", "Services", 1_800, 1_100, 0.14),
    ("PRD-SUPPORT", "Premium Support (annual)", "Services", 9_000, 3_800, 0.08),
    ("PRD-GATEWAY", "Edge Gateway", "Hardware", 2_400, 1_450, 0.06),
    ("PRD-SENSOR", "Sensor Kit", "Hardware", 850, 520, 0.08),
)

STAGES: tuple[tuple[str, int, float, str], ...] = (
    # name, position, probability, outcome
    ("Prospecting", 1, 0.1, "open"),
    ("Qualification", 2, 0.2, "open"),
    ("Proposal", 3, 0.4, "open"),
    ("Negotiation", 4, 0.6, "open"),
    ("Closed Won", 5, 1.0, "won"),
    ("Closed Lost", 6, 0.0, "lost"),
)
OPEN_STAGES = np.array([s[0] for s in STAGES[:4]], dtype=object)

COMPETITORS = ("Quantix", "Helio Systems", "Orbital Data", "Vantage Analytics")

PRICE = np.array([p[3] for p in PRODUCTS], dtype=np.int64) * 100
COST = np.array([p[4] for p in PRODUCTS], dtype=np.int64) * 100
PRODUCT_IDS = np.array([p[0] for p in PRODUCTS], dtype=object)
PRODUCT_NAMES = np.array([p[1] for p in PRODUCTS], dtype=object)
ORDER_WEIGHTS = np.array([p[5] for p in PRODUCTS])


def make_products() -> Columns:
    """The product catalogue rows."""
    return {
        "id": PRODUCT_IDS,
        "name": PRODUCT_NAMES,
        "family": np.array([p[2] for p in PRODUCTS], dtype=object),
        "list_price_cents": PRICE,
        "unit_cost_cents": COST,
    }


def make_stages() -> Columns:
    """The six pipeline stages (four open, won, lost) with their win probabilities."""
    return {
        "name": np.array([s[0] for s in STAGES], dtype=object),
        "position": np.array([s[1] for s in STAGES]),
        "probability": np.array([s[2] for s in STAGES]),
        "outcome": np.array([s[3] for s in STAGES], dtype=object),
    }


def price_lines(
    rng: np.random.Generator, target_cents: np.ndarray, weights: np.ndarray = ORDER_WEIGHTS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn target amounts into priced order lines: (product index, amount, cost).

    Each line gets a product that fits the budget, a quantity, and 0-20% off list price.
    """
    affordable = PRICE[None, :] <= np.maximum(target_cents, PRICE.min())[:, None] * 1.5
    w = affordable * weights[None, :]
    cdf = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    product = (rng.random(len(target_cents))[:, None] > cdf).sum(axis=1)
    product = np.minimum(product, len(PRODUCTS) - 1)
    quantity = np.maximum(1, np.rint(target_cents / PRICE[product])).astype(np.int64)
    discount = rng.choice(
        [0.0, 0.05, 0.10, 0.15, 0.20], size=len(product), p=[0.35, 0.25, 0.2, 0.12, 0.08]
    )
    amount = np.rint(quantity * PRICE[product] * (1 - discount) / 100).astype(np.int64) * 100
    return product, amount, quantity * COST[product]
