from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from tools.catalog import build_spec


class Echo(BaseModel):
    text: str = Field(description="what was said")


def echo_tool(ctx: object, *, text: str, times: int = 1) -> Echo:
    """Repeat a text.

    Use when testing the catalog.

    Args:
        text: What to repeat.
        times: How many times, at least once.
    """
    return Echo(text=text * times)


def test_spec_takes_description_and_argument_docs_from_the_docstring() -> None:
    spec = build_spec(echo_tool)
    assert spec.name == "echo_tool"
    assert spec.summary == "Repeat a text."
    assert "Args:" not in spec.description
    schema = spec.input_schema()
    assert schema["properties"]["text"]["description"] == "What to repeat."
    assert schema["properties"]["times"]["default"] == 1
    assert schema["required"] == ["text"]


def test_call_validates_arguments_and_rejects_unknown_ones() -> None:
    spec = build_spec(echo_tool)
    assert spec.call(None, {"text": "ab", "times": "2"}) == Echo(text="abab")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="times"):
        spec.call(None, {"text": "a", "times": "many"})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="colour"):
        spec.call(None, {"text": "a", "colour": "red"})  # type: ignore[arg-type]


def test_a_tool_without_argument_docs_is_refused() -> None:
    def bad(ctx: object, *, x: int) -> Echo:
        """Do something."""
        return Echo(text=str(x))

    with pytest.raises(TypeError, match="Args"):
        build_spec(bad)


def test_the_catalog_lists_every_tool_with_a_schema_and_a_summary() -> None:
    from tools.catalog import load_catalog

    catalog = load_catalog()
    assert len(catalog) >= 30
    for spec in catalog.values():
        assert spec.summary and not spec.summary.startswith("Args")
        assert spec.input_schema()["type"] == "object"
        assert "ctx" not in spec.input_schema().get("properties", {})
        assert spec.result_schema()["properties"]
