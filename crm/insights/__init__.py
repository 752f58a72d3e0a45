"""The read side of the facts the knowledge layer extracts from notes: roles and preferences.

The extractor writes one row per note and person (:class:`crm.models.ContactRoleFact`)
or per note and preference (:class:`crm.models.PreferenceFact`). This module merges
them at read time, for the tools and the knowledge layer alike.

Merge rule (roles, stances, influence, preference values): every note votes for what
it states with weight ``0.5 ** (age_days / HALF_LIFE_DAYS)`` (age counted back from
``before``), so newer evidence counts more but three notes still outweigh one slightly
newer note. The value with the most votes wins; ties go to the newest evidence. A role
of ``unknown`` (a person mentioned without a role) never outvotes a stated role. The
values that lost stay visible as ``conflicts``, each with its notes.

Which facts belong to what: an account gets every fact about it; an opportunity gets
the facts of its own notes plus the account-level facts (notes not tied to any deal)
of its account. Facts of notes dated at or after ``before`` do not exist yet.
"""

from crm.insights.committee import (
    ROLE_ORDER,
    CommitteeMember,
    buying_committee,
    committee_of,
    with_silent_contacts,
)
from crm.insights.facts import (
    OwnerFilter,
    deal_condition,
    last_interactions,
    role_fact_rows,
    role_facts,
)
from crm.insights.gaps import ENGAGED_DAYS, CommitteeGap, GapCode, committee_gaps
from crm.insights.preferences import EXCLUSIVE_CATEGORIES, MergedPreference, account_preferences
from crm.insights.votes import HALF_LIFE_DAYS, Conflict, Evidence, vote, with_weights

__all__ = [
    "ENGAGED_DAYS",
    "EXCLUSIVE_CATEGORIES",
    "HALF_LIFE_DAYS",
    "ROLE_ORDER",
    "CommitteeGap",
    "CommitteeMember",
    "Conflict",
    "Evidence",
    "GapCode",
    "MergedPreference",
    "OwnerFilter",
    "account_preferences",
    "buying_committee",
    "committee_gaps",
    "committee_of",
    "deal_condition",
    "last_interactions",
    "role_fact_rows",
    "role_facts",
    "vote",
    "with_silent_contacts",
    "with_weights",
]
