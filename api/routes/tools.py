"""``/v1/tools``: the whole tool catalog, callable with JSON arguments."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field, ValidationError

from api.deps import AssistantDep, CallerDep, CtxDep
from api.errors import ApiError, field_errors, invalid
from tools.catalog import ToolSpec

router = APIRouter(prefix="/v1/tools", tags=["tools"])


class ToolInfo(BaseModel):
    """One catalog entry."""

    name: str = Field(description="Tool name (the path of POST /v1/tools/{name}).")
    summary: str = Field(description="First line of the description.")
    description: str = Field(description="What the tool answers and when to use it.")
    input_schema: dict[str, Any] = Field(description="JSON schema of the arguments.")
    result_schema: dict[str, Any] = Field(description="JSON schema of the result.")


class ToolResult(BaseModel):
    """The result of one tool call."""

    tool: str = Field(description="The tool that ran.")
    result: dict[str, Any] = Field(description="Its result, shaped by the tool's result_schema.")


def _info(spec: ToolSpec) -> ToolInfo:
    return ToolInfo(
        name=spec.name,
        summary=spec.summary,
        description=spec.description,
        input_schema=spec.input_schema(),
        result_schema=spec.result_schema(),
    )


@router.get("", response_model=list[ToolInfo])
def list_tools(assistant: AssistantDep, _caller: CallerDep) -> list[ToolInfo]:
    """Every tool the assistant can use, with its argument and result schemas."""
    return [_info(spec) for spec in assistant.catalog.values()]


@router.post("/{name}", response_model=ToolResult)
def call_tool(
    assistant: AssistantDep,
    ctx: CtxDep,
    name: str,
    args: dict[str, Any] = Body(default_factory=dict, description="The tool's arguments."),  # noqa: B008
) -> ToolResult:
    """Call one tool with JSON arguments validated against its schema (422 names the field)."""
    spec = assistant.catalog.get(name)
    if spec is None:
        raise ApiError(404, "not_found", f"no tool named {name!r}: see GET /v1/tools")
    try:
        valid = spec.validate_args(args)
    except ValidationError as exc:
        raise invalid(field_errors(list(exc.errors()), ("body",))) from exc
    result = spec.func(ctx, **valid)
    return ToolResult(tool=name, result=result.model_dump(mode="json"))
