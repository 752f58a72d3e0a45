"""Score an extractor on the demo world's ground truth (``note_labels``).

Builds the demo world (``crm.demo.build_demo``) in a temporary SQLite store, then turns
every note with a body into a labelled note. How the demo labels map to the scorer:

- ``role`` labels give the people, by contact id (the scorer keys predictions by the
  linked contact id, so a person the note calls "Maria", "the CFO" or "Ms. Chen" after
  naming her in full is matched to the same label). ``unknown`` labels (people named
  without a role) are negatives: giving them a role is an invented role.
- ``stance`` labels set the stance of the person's role label in the same note.
- ``preference`` labels give the categories and values.
- ``competitor`` and ``budget`` labels state no role and no preference and are ignored;
  whatever the extractor finds in those sentences counts against it.

Notes are split by language (English / Chinese, by the presence of CJK characters),
because the quality targets are for English notes.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import defaultdict
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from benchmarks._extraction_metrics import GoldNote, GoldPerson, report, score
from benchmarks.common import demo_store
from crm.models import Activity, NoteLabel, Opportunity
from knowledge.extract import Extractor
from knowledge.facts_writer import contacts_by_account

AS_OF = dt.date(2025, 6, 30)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _labels(
    session: Session,
) -> tuple[dict[str, list[GoldPerson]], dict[str, list[tuple[str, str]]]]:
    """People (with stance) and preferences per note id, from ``note_labels``."""
    roles: dict[str, dict[str, str]] = defaultdict(dict)
    stances: dict[tuple[str, str], str] = {}
    prefs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for label in session.exec(select(NoteLabel).order_by(col(NoteLabel.id))).all():
        if label.kind == "role" and label.contact_id:
            roles[label.activity_id][label.contact_id] = label.label
        elif label.kind == "stance" and label.contact_id:
            stances[(label.activity_id, label.contact_id)] = label.label
        elif label.kind == "preference":
            prefs[label.activity_id].append((label.label, label.value or ""))
    people = {
        note: [GoldPerson(key, role, stances.get((note, key))) for key, role in by_contact.items()]  # type: ignore[arg-type]
        for note, by_contact in roles.items()
    }
    return people, prefs


def load_demo_notes(session: Session) -> list[GoldNote]:
    """Every note of the store with its labels."""
    people, prefs = _labels(session)
    account = func.coalesce(col(Activity.account_id), col(Opportunity.account_id))
    rows = session.execute(
        sa_select(col(Activity.id), col(Activity.body), account)
        .join(Opportunity, col(Opportunity.id) == col(Activity.opportunity_id), isouter=True)
        .where(col(Activity.body).is_not(None))
        .order_by(col(Activity.id))
    ).all()
    contacts = contacts_by_account(session, {a for _, _, a in rows if a})
    return [
        GoldNote(
            id_,
            body,
            contacts.get(acc or "", ()),
            tuple(people.get(id_, ())),
            tuple(prefs.get(id_, ())),  # type: ignore[arg-type]
        )
        for id_, body, acc in rows
    ]


def build_demo_notes(scale: float, seed: int, as_of: dt.date) -> list[GoldNote]:
    """Build a demo world in a temporary SQLite store and return its labelled notes."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = demo_store(Path(tmp) / "demo.db", scale=scale, seed=seed, as_of=as_of)
        with Session(engine) as session:
            notes = load_demo_notes(session)
        engine.dispose()
    return notes


def evaluate_demo(
    extractor: Extractor, scale: float = 0.5, seed: int = 7, as_of: dt.date = AS_OF
) -> None:
    """Build the demo world and print the scores of ``extractor`` on its labels."""
    notes = build_demo_notes(scale, seed, as_of)
    for lang, chinese in (("en", False), ("zh", True)):
        subset = [n for n in notes if bool(_CJK.search(n.text)) == chinese]
        title = f"demo world (scale {scale:g}, seed {seed}, as_of {as_of}) / {lang} / "
        print(report(title + extractor.name, score(subset, extractor)))
