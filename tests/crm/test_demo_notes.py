"""Notes read like rep notes, vary their phrasing, and their ground truth is complete."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from crm.demo import phrases
from crm.models import KNOWN_ROLES
from tests.crm.demo_queries import read, truth

CATEGORIES = {"pricing", "payment_terms", "communication", "product", "deployment", "timeline"}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def notes(demo_world: Engine) -> pd.DataFrame:
    return read(
        demo_world,
        "SELECT a.*, c.country FROM activities a LEFT JOIN accounts c ON c.id = a.account_id",
    )


@pytest.fixture(scope="module")
def labels(demo_world: Engine) -> pd.DataFrame:
    return read(
        demo_world,
        "SELECT l.*, a.body, a.account_id, a.opportunity_id, c.name AS person "
        "FROM note_labels l JOIN activities a ON a.id = l.activity_id "
        "LEFT JOIN contacts c ON c.id = l.contact_id",
    )


def test_every_role_has_at_least_eight_phrasings() -> None:
    assert set(phrases.ROLE_SENTENCES) == set(KNOWN_ROLES)
    assert all(len(set(options)) >= 8 for options in phrases.ROLE_SENTENCES.values())


def test_every_role_and_preference_category_occurs_in_the_ground_truth(
    labels: pd.DataFrame,
) -> None:
    roles = labels.loc[labels["kind"] == "role", "label"].value_counts()
    assert set(KNOWN_ROLES) <= set(roles.index)
    assert (roles.loc[list(KNOWN_ROLES)] >= 30).all()
    preferences = labels.loc[labels["kind"] == "preference", "label"].value_counts()
    assert set(preferences.index) == CATEGORIES
    assert (preferences >= 50).all()


def test_each_labelled_sentence_is_part_of_its_note(labels: pd.DataFrame) -> None:
    assert all(s in body for s, body in zip(labels["sentence"], labels["body"], strict=True))


def test_role_sentences_refer_to_the_person_by_name_first_name_or_title(
    demo_world: Engine, labels: pd.DataFrame
) -> None:
    contacts = read(demo_world, "SELECT id, name, title FROM contacts").set_index("id")
    roles = labels[(labels["kind"] == "role") & labels["contact_id"].notna()]
    roles = roles[~roles["body"].str.contains(HAN)]
    named_in_body = [
        contacts.loc[c, "name"] in body
        for c, body in zip(roles["contact_id"], roles["body"], strict=True)
    ]
    assert all(named_in_body)
    by_full_name = [
        contacts.loc[c, "name"] in s
        for c, s in zip(roles["contact_id"], roles["sentence"], strict=True)
    ]
    assert 0.3 < sum(by_full_name) / len(by_full_name) < 0.9


def test_notes_have_one_to_four_sentences(notes: pd.DataFrame) -> None:
    english = notes[~notes["body"].str.contains(HAN)]
    sentences = english["body"].str.count(r"(?<!Mr)(?<!Ms)[.!?](?:\s|$)")
    assert sentences.between(1, 4).all()
    assert english["body"].nunique() > 0.6 * len(english)


def test_all_activity_kinds_occur_and_belong_to_the_owner(
    notes: pd.DataFrame, demo_world: Engine
) -> None:
    assert set(notes["kind"]) == {"call", "email", "meeting", "note", "task"}
    owners = read(demo_world, "SELECT id, role FROM users").set_index("id")
    assert set(owners.loc[notes["user_id"], "role"]) == {"rep"}


def test_about_three_percent_of_notes_are_in_chinese_all_on_accounts_in_china(
    notes: pd.DataFrame,
) -> None:
    chinese = notes["body"].str.contains(HAN)
    assert 0.01 < chinese.mean() < 0.06
    assert set(notes.loc[chinese, "country"]) == {"China"}


def test_chinese_notes_have_ground_truth_too(labels: pd.DataFrame) -> None:
    chinese = labels[labels["body"].str.contains(HAN)]
    assert {"role", "preference"} <= set(chinese["kind"])


def test_some_sentences_name_two_people_with_different_roles(labels: pd.DataFrame) -> None:
    roles = labels[labels["kind"] == "role"]
    shared = roles.groupby(["activity_id", "sentence"])["label"].nunique()
    assert (shared == 2).sum() >= 20


def test_some_notes_mention_people_without_stating_a_role(labels: pd.DataFrame) -> None:
    unknown = labels[(labels["kind"] == "role") & (labels["label"] == "unknown")]
    assert len(unknown) >= 100
    assert unknown["contact_id"].notna().all()


def test_preferences_carry_a_normalised_value(labels: pd.DataFrame) -> None:
    prefs = labels[labels["kind"] == "preference"]
    assert prefs["value"].notna().all()
    assert {"net 60", "EU hosting", "prefers WhatsApp"} <= set(prefs["value"])


def test_deal_notes_mention_competitors_and_budget(labels: pd.DataFrame) -> None:
    competitors = labels[labels["kind"] == "competitor"]
    assert competitors["opportunity_id"].notna().all()
    assert all(
        name in s for name, s in zip(competitors["label"], competitors["sentence"], strict=True)
    )
    assert set(labels.loc[labels["kind"] == "budget", "label"]) == {"approved", "tight"}


def test_no_note_names_a_decision_maker_for_deals_missing_one(
    demo_world: Engine, labels: pd.DataFrame
) -> None:
    missing = truth(demo_world, "opportunity", "missing_decision_maker")
    deals = read(demo_world, "SELECT id, account_id FROM opportunities").set_index("id")
    accounts = set(deals.loc[sorted(missing), "account_id"])
    assert len(missing) >= 20
    about = labels["opportunity_id"].isin(missing) | labels["account_id"].isin(accounts)
    assert len(labels[about]) >= 50
    assert "decision_maker" not in set(labels.loc[about & (labels["kind"] == "role"), "label"])


def test_stated_roles_match_each_contacts_planted_role(
    demo_world: Engine, labels: pd.DataFrame
) -> None:
    contacts = read(demo_world, "SELECT entity_id, label FROM demo_truth WHERE entity = 'contact'")
    planted = contacts.set_index("entity_id")["label"]
    stated = labels[(labels["kind"] == "role") & (labels["label"] != "unknown")]
    assert (stated["label"].to_numpy() == planted.loc[stated["contact_id"]].to_numpy()).all()
