"""What the offline planner says when it will not guess: what it can do, with examples.

The three example questions use the caller's own data (an account with the most deals,
an open deal of it, and the book), so they work when pasted back.
"""

from __future__ import annotations

from collections import Counter

from assistant.offline.vocab import Vocabulary

CAPABILITIES = (
    "I can help with your accounts (summaries, RFM segments, lifetime value, corporate "
    "groups), your deals (reviews, win odds, health, next best actions, who decides), "
    "your pipeline and forecast, and what the notes say."
)


def help_text(vocab: Vocabulary, *, unsure: bool) -> str:
    """Capabilities plus three example questions tailored to ``vocab``."""
    lead = "I'm not sure what you're asking. " if unsure else ""
    return f"{lead}{CAPABILITIES} Try:\n" + "\n".join(f"- “{q}”" for q in examples(vocab))


def examples(vocab: Vocabulary) -> list[str]:
    """Three questions about the caller's own records."""
    open_deals = [d for d in vocab.deals if d.is_open]
    counts = Counter(d.parent for d in open_deals)
    names = {a.id: a.name for a in vocab.accounts}
    ranked = sorted((acc for acc in counts if acc in names), key=lambda a: (-counts[a], a))
    out = []
    if ranked:
        out.append(f"How is {short(names[ranked[0]])} doing?")
        single = [a for a in ranked if counts[a] == 1]
        if single:
            out.append(f"Review the {short(names[single[0]])} deal")
    elif vocab.accounts:
        out.append(f"How is {short(vocab.accounts[0].name)} doing?")
    out.append("What's my forecast this quarter?")
    out.append("Which of my deals are stalled?")
    return out[:3]


def short(name: str) -> str:
    """The first two words of a name ("Lakeside Markets SAS" -> "Lakeside Markets")."""
    return " ".join(name.split()[:2])
