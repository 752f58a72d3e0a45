"""How migrations render and compare types: one place for ``env.py`` and the schema check.

``UTCDateTime`` and sqlmodel's ``AutoString`` are written into revisions as the plain
SQLAlchemy types they wrap, so revisions never import our code (it may change later).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.types import TypeDecorator


def render_item(kind: str, obj: Any, _autogen_context: Any) -> str | bool:
    """Render our type decorators as the SQLAlchemy types they wrap."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance
        return f"sa.{impl!r}"
    return False


def context_options() -> dict[str, Any]:
    """Options shared by migrations and the schema comparison."""
    return {
        "render_as_batch": True,
        "compare_type": True,
        "render_item": render_item,
        "user_module_prefix": "sa.",
    }
