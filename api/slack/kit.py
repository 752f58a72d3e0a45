"""Block Kit primitives and Slack's limits: blocks, mrkdwn, clamping.

Limits (https://api.slack.com/reference/block-kit/blocks): at most 50 blocks in a
message; a header's text 150 characters; a section's text 3000 and its fields 10 × 2000;
a context at most 10 elements. :func:`clamp` enforces them, cutting with "…".
"""

from __future__ import annotations

import re
from typing import Any

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION = 3000
MAX_FIELDS = 10
MAX_FIELD = 2000
MAX_CONTEXT = 10

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters, ending with "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mrkdwn(markdown: str) -> str:
    """Markdown as Slack mrkdwn: escapes ``& < >``, bold, headings and links."""
    text = markdown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _HEADING.sub(r"*\1*", text)
    text = _BOLD.sub(r"*\1*", text)
    return _LINK.sub(r"<\2|\1>", text)


def header(text: str) -> Block:
    """A header block."""
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def section(text: str, fields: list[str] | None = None) -> Block:
    """A section with mrkdwn text and optional mrkdwn fields."""
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}
    if fields:
        block["fields"] = [{"type": "mrkdwn", "text": field} for field in fields]
    return block


def context(*texts: str) -> Block:
    """A context line of mrkdwn elements."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts]}


def clamp(blocks: list[Block]) -> list[Block]:
    """``blocks`` within Block Kit's limits; a too-long body keeps its head and its tail."""
    blocks = [_clamp_block(block) for block in blocks]
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    tail = [b for b in blocks[-2:] if b["type"] in ("context", "actions")]
    head = blocks[: MAX_BLOCKS - len(tail) - 1]
    omitted = len(blocks) - len(head) - len(tail)
    return [*head, context(f"… {omitted} more block(s) left out (Slack's limit)"), *tail]


def _clamp_block(block: Block) -> Block:
    block = dict(block)
    kind = block["type"]
    if kind == "header":
        block["text"] = {**block["text"], "text": cut(block["text"]["text"], MAX_HEADER)}
    elif kind == "section":
        block["text"] = {**block["text"], "text": cut(block["text"]["text"], MAX_SECTION)}
        if "fields" in block:
            block["fields"] = [
                {**f, "text": cut(f["text"], MAX_FIELD)} for f in block["fields"][:MAX_FIELDS]
            ]
    elif kind == "context":
        block["elements"] = [
            {**e, "text": cut(e["text"], MAX_SECTION)} for e in block["elements"][:MAX_CONTEXT]
        ]
    return block
