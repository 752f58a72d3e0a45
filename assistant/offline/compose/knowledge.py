"""Answers from the notes: search passages, the power map, facts per note and per account."""

from __future__ import annotations

from typing import Any

from assistant.offline.compose.fmt import bullets, join, top

R = dict[str, Any]
SNIPPET = 240


def search_notes(r: R) -> str:
    """Passages matching a notes search."""
    if not r["passages"]:
        return "No note mentions that."
    return "What the notes say:\n" + bullets(
        f"{p['date']} {p['kind']} ({p['account_name'] or 'no account'}, {p['note_id']}): "
        f"“{p['text'][:SNIPPET]}”"
        for p in r["passages"]
    )


def power_map(r: R) -> str:
    """Who decides, champions and blocks."""
    about = r["opportunity_name"] or r["account_name"]
    members = r["members"]
    if not members:
        return f"No buying committee known for {about} yet."
    lines = bullets(
        f"**{m['name']}**"
        + (f" ({m['title']})" if m["title"] else "")
        + f": {m['role'].replace('_', ' ')}"
        + (f", {m['stance']}" if m["stance"] else "")
        + (f", {m['influence']} influence" if m["influence"] else "")
        for m in top(members, 8)
    )
    gaps = bullets(g["message"] for g in r["gaps"])
    return join(f"Buying committee at **{about}**:", lines, f"Gaps:\n{gaps}" if gaps else None)


def _facts(note: R) -> list[str]:
    people = [f"{c['name']}: {c['role'].replace('_', ' ')}" for c in note["contacts"]]
    prefs = [f"{p['category'].replace('_', ' ')}: {p['value']}" for p in note["preferences"]]
    return people + prefs


def extract_note(r: R) -> str:
    """What one note states."""
    facts = _facts(r)
    if not facts:
        return f"Note {r['activity_id']} names no decision roles or preferences."
    return f"Note {r['activity_id']} ({r['occurred_at'][:10]}) says:\n" + bullets(facts)


def account_note_facts(r: R) -> str:
    """What an account's notes say, note by note."""
    lines = [f"{n['activity_id']}: " + "; ".join(_facts(n)) for n in r["notes"] if _facts(n)]
    return join(
        f"**{r['account_name']}**: {r['notes_with_facts']} of {r['notes_total']} recent notes "
        f"state people or preferences.",
        bullets(top(lines, 8)),
    )
