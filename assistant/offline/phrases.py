"""Fixed phrases a question may contain: periods, segments, stages, groupings and top-N.

Periods are found by pattern and handed to :func:`tools.periods.parse_period`, the same
parser the tools use, so "this quarter" means the same thing to planner and tool.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tools.errors import InvalidArgument
from tools.periods import Period, parse_period

_MONTH = (
    r"january|february|march|april|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_PERIOD = re.compile(
    r"\b(?:(?:this|current|last|previous|next)\s+(?:month|quarter|year)"
    r"|(?:last|past|next)\s+\d+\s+(?:days?|weeks?|months?)"
    r"|year\s+to\s+date|quarter\s+to\s+date|month\s+to\s+date|ytd|qtd|mtd"
    r"|q[1-4](?:\s+\d{4})?|\d{4}-q[1-4]"
    rf"|(?:{_MONTH})(?:\s+\d{{4}})?|(?<=in\s)may(?:\s+\d{{4}})?|may\s+\d{{4}}"
    r"|(?:19|20)\d{2})\b"
)
SEGMENTS: dict[str, str] = {
    "champions": "Champions",
    "loyal customers": "Loyal Customers",
    "loyal": "Loyal Customers",
    "potential loyalists": "Potential Loyalists",
    "new customers": "New Customers",
    "promising": "Promising",
    "need attention": "Need Attention",
    "needs attention": "Need Attention",
    "about to sleep": "About to Sleep",
    "at risk": "At Risk",
    "at-risk": "At Risk",
    "can't lose": "Can't Lose Them",
    "cant lose": "Can't Lose Them",
    "hibernating": "Hibernating",
    "lost customers": "Lost",
    "lost accounts": "Lost",
    "high value": "high_value",
    "high-value": "high_value",
    "churn risk": "churn_risk",
    "churn-risk": "churn_risk",
}
GROUP_BY = {"rep": "rep", "reps": "rep", "team": "team", "teams": "team"}
GROUP_BY |= {"product": "product", "products": "product", "industry": "industry"}
_GROUP = re.compile(
    r"\b(?:by|per|split by|for each)\s+(rep|reps|team|teams|product|products|industry)\b"
)
_TOP = re.compile(r"\btop\s+(\d{1,2})\b|\b(\d{1,2})\s+(?:best|biggest|largest|most|top)\b")
_SEGMENT = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(SEGMENTS, key=len, reverse=True)) + r")\b"
)


@dataclass(frozen=True)
class Phrase:
    """A phrase found in the question, with where it was."""

    start: int
    end: int
    value: str


def find_period(text: str, as_of: dt.date) -> tuple[Phrase, Period] | None:
    """The first period named in ``text`` (lower-case), parsed relative to ``as_of``."""
    for match in _PERIOD.finditer(text):
        try:
            return Phrase(match.start(), match.end(), match[0]), parse_period(match[0], as_of)
        except InvalidArgument:
            continue
    return None


def find_segment(text: str) -> Phrase | None:
    """The RFM segment or tier named in ``text`` (lower-case), as the tools spell it."""
    match = _SEGMENT.search(text)
    return Phrase(match.start(), match.end(), SEGMENTS[match[1]]) if match else None


def find_group_by(text: str) -> str | None:
    """How a breakdown should be grouped ("by rep" -> "rep")."""
    match = _GROUP.search(text)
    return GROUP_BY[match[1]] if match else None


def find_top_n(text: str) -> int | None:
    """The N of "top N" / "5 biggest", if asked."""
    match = _TOP.search(text)
    return int(match[1] or match[2]) if match else None


def find_stage(text: str, stages: tuple[str, ...]) -> str | None:
    """An open pipeline stage named in ``text`` (lower-case)."""
    for stage in stages:
        if not stage.lower().startswith("closed") and re.search(rf"\b{stage.lower()}\b", text):
            return stage
    return None
