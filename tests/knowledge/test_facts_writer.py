"""Writing extracted facts to the store: complete, idempotent, replaced on change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm.insights import buying_committee
from crm.models import Activity, ContactRoleFact, PreferenceFact
from knowledge.extract import Extraction, KnownContact, OfflineExtractor, PersonRole
from knowledge.facts_writer import delete_note_facts, extract_notes
from tests.knowledge.builders_extract import build_world

OFFLINE = OfflineExtractor()


def role_rows(session: Session) -> list[tuple[str, str, str | None, str]]:
    facts = session.exec(select(ContactRoleFact).order_by(ContactRoleFact.activity_id)).all()
    return sorted((f.activity_id, f.person, f.contact_id, f.role) for f in facts)


def test_every_note_with_a_body_is_read_whatever_its_date(engine: Engine) -> None:
    build_world(engine)
    with Session(engine) as session:
        counts = extract_notes(session, extractor=OFFLINE)
        session.commit()
        assert (counts.notes, counts.changed) == (5, 4)
        assert role_rows(session) == [
            ("N1", "Maria Chen", "C1", "decision_maker"),
            ("N1", "Tom Berg", "C2", "technical_evaluator"),
            ("N2", "Maria Chen", "C1", "unknown"),
            ("N3", "Peter Lang", "C3", "decision_maker"),
            ("N4", "Tom Berg", "C2", "blocker"),
        ]
        prefs = session.exec(select(PreferenceFact).order_by(PreferenceFact.activity_id)).all()
        assert [(p.activity_id, p.category, p.value, p.extractor) for p in prefs] == [
            ("N1", "payment_terms", "net 60", "offline"),
            ("N2", "communication", "prefers WhatsApp", "offline"),
        ]


def test_a_note_on_a_deal_gets_the_deals_account_and_opportunity(engine: Engine) -> None:
    build_world(engine)
    with Session(engine) as session:
        extract_notes(session, extractor=OFFLINE, activity_ids=["N2"])
        [fact] = session.exec(select(ContactRoleFact)).all()
        assert (fact.account_id, fact.opportunity_id, fact.sentence) == (
            "A1",
            "O1",
            "The CFO prefers WhatsApp.",
        )
        assert fact.occurred_at == dt.datetime(2024, 4, 1, 12, tzinfo=dt.UTC)


def test_rerunning_writes_nothing_and_keeps_the_rows(engine: Engine) -> None:
    build_world(engine)
    with Session(engine) as session:
        extract_notes(session, extractor=OFFLINE)
        session.commit()
        ids = session.exec(select(ContactRoleFact.id).order_by(col(ContactRoleFact.id))).all()
        again = extract_notes(session, extractor=OFFLINE)
        session.commit()
        assert (again.notes, again.changed, again.role_facts) == (5, 0, 0)
        assert (
            session.exec(select(ContactRoleFact.id).order_by(col(ContactRoleFact.id))).all() == ids
        )


def test_a_changed_note_replaces_its_facts(engine: Engine) -> None:
    build_world(engine)
    with Session(engine) as session:
        extract_notes(session, extractor=OFFLINE)
        session.commit()
        note = session.get(Activity, "N1")
        assert note is not None
        note.body = "Tom Berg will sign the contract."
        session.add(note)
        session.commit()
        counts = extract_notes(session, extractor=OFFLINE, activity_ids=["N1"])
        session.commit()
        assert (counts.changed, counts.role_facts, counts.preference_facts) == (1, 1, 0)
        assert [r for r in role_rows(session) if r[0] == "N1"] == [
            ("N1", "Tom Berg", "C2", "decision_maker")
        ]
        assert session.exec(select(PreferenceFact.activity_id)).all() == ["N2"]


class FakeLLM:
    """An extractor that says Maria decides in every note, as an LLM extractor would."""

    name = "llm"

    def extract(
        self, text: str, *, note_id: str | None = None, known_contacts: Sequence[KnownContact] = ()
    ) -> Extraction:
        maria = PersonRole(name="Maria Chen", contact_id="C1", role="decision_maker")
        return Extraction(contacts=[maria], extractor="llm")


def test_running_another_extractor_replaces_the_facts_with_its_own(engine: Engine) -> None:
    build_world(engine)
    with Session(engine) as session:
        extract_notes(session, extractor=OFFLINE, activity_ids=["N1"])
        counts = extract_notes(session, extractor=FakeLLM(), activity_ids=["N1"])
        facts = session.exec(select(ContactRoleFact)).all()
        assert counts.changed == 1
        assert [(f.person, f.role, f.extractor, f.sentence) for f in facts] == [
            ("Maria Chen", "decision_maker", "llm", "")
        ]


def test_deleting_a_notes_facts_leaves_the_others(engine: Engine) -> None:
    build_world(engine)
    with Session(engine) as session:
        extract_notes(session, extractor=OFFLINE)
        delete_note_facts(session, ["N1", "N4"])
        assert {r[0] for r in role_rows(session)} == {"N2", "N3"}
        assert session.exec(select(PreferenceFact.activity_id)).all() == ["N2"]


def test_the_read_side_merges_what_the_writer_wrote(engine: Engine) -> None:
    build_world(engine)
    with Session(engine) as session:
        extract_notes(session, extractor=OFFLINE)
        session.commit()
        before = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
        members = buying_committee(session, account_id="A1", before=before)
        assert [(m.name, m.role) for m in members] == [
            ("Maria Chen", "decision_maker"),
            ("Tom Berg", "technical_evaluator"),
        ]
