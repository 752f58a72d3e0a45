"""Render prompt templates kept as files beside this module.

Templates use ``$name`` / ``${name}`` slots (:class:`string.Template`). Rendering is
strict: a slot without a value, or a value without a slot, is an error, so a prompt
can never go out with a hole in it or silently drop what the caller meant to say.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from string import Template

_SLOT = re.compile(r"\$(?:(\w+)|\{(\w+)\})")


class PromptError(ValueError):
    """A template is missing, or its slots and the given values do not match."""


@cache
def load(name: str) -> str:
    """The text of template ``name`` (e.g. ``"system"`` for ``system.md``)."""
    path = resources.files("prompts").joinpath(f"{name}.md")
    if not path.is_file():
        raise PromptError(f"no prompt template named {name!r} (looked for prompts/{name}.md)")
    return path.read_text(encoding="utf-8")


def slots(template: str) -> set[str]:
    """The slot names a template uses (``$$`` is a literal dollar sign)."""
    text = template.replace("$$", "")
    return {a or b for a, b in _SLOT.findall(text)}


def render(name: str, **values: str | int | float) -> str:
    """Fill every slot of template ``name``; raises :class:`PromptError` on any mismatch."""
    template = load(name)
    wanted = slots(template)
    missing = wanted - values.keys()
    extra = values.keys() - wanted
    if missing or extra:
        raise PromptError(
            f"prompt {name!r}: missing values for {sorted(missing)}, unknown slots {sorted(extra)}"
        )
    return Template(template).substitute({k: str(v) for k, v in values.items()})


def available() -> list[str]:
    """Names of all templates shipped in the package."""
    return sorted(
        p.name.removesuffix(".md")
        for p in resources.files("prompts").iterdir()
        if p.name.endswith(".md")
    )
