"""Citations: the records and note passages behind an answer, read off the tool results.

Every field named ``*_id`` (a string) or ``*_ids`` (a list of strings) in a successful
tool result cites a record; the table is inferred from the last word of the field
name (``resolved_account_id`` -> ``accounts``, ``won_opportunity_ids`` ->
``opportunities``). An object that carries a note id (``note_id`` / ``activity_id``)
next to a ``text`` or ``sentence`` is a note passage and is cited with its text.
Fields whose table cannot be inferred (``rule_id``, ``target_id``) are not citations.
Citations are de-duplicated in order of first appearance; a note cited both as a
record and as a passage keeps the passage.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.answer import Citation, ToolCallRecord

TABLES: dict[str, str] = {
    "account": "accounts",
    "parent": "accounts",
    "opportunity": "opportunities",
    "deal": "opportunities",
    "contact": "contacts",
    "order": "orders",
    "product": "products",
    "lead": "leads",
    "ticket": "tickets",
    "note": "activities",
    "activity": "activities",
    "interaction": "activities",
    "owner": "users",
    "user": "users",
    "rep": "users",
}
_NOTE_KEYS = ("note_id", "activity_id")
_TEXT_KEYS = ("text", "sentence")


def table_for(field: str) -> str | None:
    """The table a ``*_id`` / ``*_ids`` field points to, or ``None`` if unknown."""
    stem = field.removesuffix("_ids").removesuffix("_id")
    if stem == field:
        return None
    return TABLES.get(stem.rsplit("_", 1)[-1])


def citations_for(calls: Iterable[ToolCallRecord]) -> list[Citation]:
    """The de-duplicated citations of the successful tool calls, in order of appearance."""
    found: dict[tuple[str, str], Citation] = {}
    for call in calls:
        if call.result is not None:
            for cite in _walk(call.result):
                key = (cite.table, cite.id)
                if key not in found or (cite.kind == "note" and found[key].kind == "record"):
                    found[key] = cite
    return list(found.values())


def _walk(node: Any) -> Iterable[Citation]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
        return
    if not isinstance(node, dict):
        return
    passage = _passage(node)
    if passage is not None:
        yield passage
    for field, value in node.items():
        table = table_for(field)
        if table is not None:
            values = value if isinstance(value, list) else [value]
            for id_ in values:
                if isinstance(id_, str) and id_:
                    yield Citation(kind="record", table=table, id=id_)
        elif isinstance(value, dict | list):
            yield from _walk(value)


def _passage(node: dict[str, Any]) -> Citation | None:
    note_id = next((node[k] for k in _NOTE_KEYS if isinstance(node.get(k), str)), None)
    text = next((node[k] for k in _TEXT_KEYS if isinstance(node.get(k), str)), None)
    if note_id and text:
        return Citation(kind="note", table="activities", id=note_id, text=text)
    return None
