"""Slash commands as questions for ``assistant.ask``.

``/deal-review <deal name or id>``, ``/account <name>``, ``/pipeline [me|team|rep name]``
and ``/next-actions [account]`` become a plain question, so they go through the same
planner, scope, audit and memory as a mention, and work with the LLM or the offline
planner alike. A command missing its required argument gets its usage line instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """A slash command: its usage line and how its text becomes a question."""

    usage: str
    required: bool
    template: str
    default: str = ""


COMMANDS: dict[str, Command] = {
    "/deal-review": Command(
        usage="/deal-review <deal name or id>",
        required=True,
        template="Review the deal {text}",
    ),
    "/account": Command(
        usage="/account <account name>",
        required=True,
        template="Give me the account summary of {text}",
    ),
    "/pipeline": Command(
        usage="/pipeline [me|team|rep name]",
        required=False,
        template="Show the open pipeline by stage of {text}",
        default="Show my open pipeline by stage",
    ),
    "/next-actions": Command(
        usage="/next-actions [account]",
        required=False,
        template="What are the next best actions for {text}?",
        default="What are my next best actions?",
    ),
}
_PIPELINE_SHORTCUTS = {
    "me": "Show my open pipeline by stage",
    "team": "Show my team's open pipeline by stage",
}


class UsageError(ValueError):
    """A slash command without its required argument (the message is the usage line)."""


def question_for(command: str, text: str) -> str:
    """The question that slash ``command`` with argument ``text`` asks."""
    spec = COMMANDS.get(command)
    if spec is None:
        raise UsageError(f"Unknown command {command}. Try: " + ", ".join(COMMANDS))
    text = " ".join(text.split())
    if not text:
        if spec.required:
            raise UsageError(f"Usage: `{spec.usage}`")
        return spec.default
    if command == "/pipeline" and text.lower() in _PIPELINE_SHORTCUTS:
        return _PIPELINE_SHORTCUTS[text.lower()]
    return spec.template.format(text=text)
