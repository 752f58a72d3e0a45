"""``dealwise extract``: read roles and preferences out of a text or a stored note.

``dealwise extract --text "Maria Chen will sign off" --json`` needs no store;
``--account A1`` links the names to that account's contacts and ``--note N1`` reads a
stored note (both scoped to ``--user``, the first admin by default).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import AsOfOption, UserOption, console, fail, open_session, settings_with
from knowledge.extract import Extraction, KnownContact, OfflineExtractor


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command("extract")(extract)


def extract(
    text: Annotated[str | None, typer.Option("--text", help="The note text to read.")] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Id of a stored note (activity) to read.")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Link names in --text to this account.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    user: UserOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Show the people, decision roles and preferences a note states."""
    if (text is None) == (note is None):
        raise fail("give exactly one of --text or --note")
    if text is not None and account is None:
        found = OfflineExtractor().extract(text)
    else:
        found = _from_store(text, note, account, user, as_of)
    if as_json:
        typer.echo(json.dumps(as_plain(found), ensure_ascii=False, indent=2))
    else:
        _print(found)


def _from_store(
    text: str | None, note: str | None, account: str | None, user: str | None, as_of: Any
) -> Extraction:
    from assistant.runtime import context_for, first_admin_id, open_notes
    from knowledge.extract_tools import extract_note
    from knowledge.facts_writer import contacts_by_account
    from tools.errors import ToolError
    from tools.records import get_account

    settings = settings_with(as_of)
    with open_session(settings) as session:
        ctx = context_for(
            session, user or first_admin_id(session), settings, knowledge=open_notes(settings)
        )
        try:
            if note is not None:
                facts = extract_note(ctx, activity_id=note)
                return Extraction(
                    contacts=facts.contacts,
                    preferences=facts.preferences,
                    extractor=facts.extractor,
                )
            account_id = get_account(ctx, account or "").id
        except ToolError as exc:
            raise fail(str(exc), code=1) from exc
        contacts: tuple[KnownContact, ...] = contacts_by_account(session, [account_id]).get(
            account_id, ()
        )
    return OfflineExtractor().extract(text or "", known_contacts=contacts)


def as_plain(found: Extraction) -> dict[str, Any]:
    """The extraction as the documented JSON shape (evidence as sentences)."""
    return {
        "contacts": [
            {
                "name": p.name,
                "contact_id": p.contact_id,
                "role": p.role,
                "stance": p.stance,
                "influence": p.influence,
                "evidence": [e.sentence for e in p.evidence],
            }
            for p in found.contacts
        ],
        "preferences": [
            {
                "category": p.category,
                "value": p.value,
                "person": p.person,
                "evidence": [e.sentence for e in p.evidence],
            }
            for p in found.preferences
        ],
        "extractor": found.extractor,
    }


def _print(found: Extraction) -> None:
    people = Table(title="People")
    for column in ("name", "role", "stance", "influence", "evidence"):
        people.add_column(column)
    for p in found.contacts:
        evidence = p.evidence[0].sentence if p.evidence else ""
        people.add_row(p.name, p.role, p.stance or "-", p.influence or "-", evidence)
    prefs = Table(title="Preferences")
    for column in ("category", "value", "person", "evidence"):
        prefs.add_column(column)
    for pref in found.preferences:
        evidence = pref.evidence[0].sentence if pref.evidence else ""
        prefs.add_row(pref.category, pref.value, pref.person or "-", evidence)
    console.print(people)
    console.print(prefs)
