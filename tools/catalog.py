"""The tool catalog: the one list of tools that the planners, the API and the docs read.

A tool registers itself with the :func:`tool` decorator. The catalog derives from the
function alone: the name, the description for the model (the docstring without its
``Args:`` section), an input model built from the keyword-only parameters (their
types, defaults and the ``Args:`` descriptions) and the result model (the return
annotation). :func:`load_catalog` imports every tool module and returns the registry.
"""

from __future__ import annotations

import importlib
import inspect
import re
import time
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from tools.context import ToolContext

# Modules whose import registers tools, in catalog order. The knowledge layer's tools
# register through the same decorator (knowledge may import this infrastructure).
TOOL_MODULES: tuple[str, ...] = (
    "tools.accounts",
    "tools.account_360",
    "tools.account_tree",
    "tools.account_duplicates",
    "tools.rfm",
    "tools.rfm_segments",
    "tools.clv",
    "tools.metrics",
    "tools.leads",
    "tools.pipeline",
    "tools.funnel",
    "tools.velocity",
    "tools.forecast",
    "tools.win_model",
    "tools.deals",
    "tools.deal_search",
    "tools.actions",
    "knowledge.tools",
    "knowledge.power_map",
    "knowledge.extract_tools",
)

ResultT = TypeVar("ResultT", bound=BaseModel)
ToolFunc = Callable[..., BaseModel]

_ARGS_HEADER = re.compile(r"^\s*Args:\s*$", re.MULTILINE)
_ARG_LINE = re.compile(r"^\s{4}(\w+)(?:\s*\([^)]*\))?:\s*(.*)$")


@dataclass(frozen=True)
class ToolSpec:
    """One catalog entry."""

    name: str
    func: ToolFunc
    description: str
    input_model: type[BaseModel]
    result_model: type[BaseModel]

    @property
    def summary(self) -> str:
        """The first line of the description."""
        return self.description.split("\n", 1)[0]

    def input_schema(self) -> dict[str, Any]:
        """JSON schema of the arguments (what a model or an API client sends)."""
        return self.input_model.model_json_schema()

    def result_schema(self) -> dict[str, Any]:
        """JSON schema of the result."""
        return self.result_model.model_json_schema()

    def validate_args(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """Validate raw arguments; raises ``pydantic.ValidationError`` naming each bad field."""
        return dict(self.input_model.model_validate(dict(args)))

    def call(self, ctx: ToolContext, args: Mapping[str, Any] | None = None) -> BaseModel:
        """Validate ``args`` and run the tool."""
        return self.func(ctx, **self.validate_args(args or {}))


@dataclass(frozen=True)
class TimedResult:
    """A tool result with how long it took."""

    result: BaseModel
    duration_ms: float


def timed_call(spec: ToolSpec, ctx: ToolContext, args: Mapping[str, Any]) -> TimedResult:
    """Run a tool and measure it."""
    start = time.perf_counter()
    result = spec.call(ctx, args)
    return TimedResult(result, (time.perf_counter() - start) * 1000)


_REGISTRY: dict[str, ToolSpec] = {}


def tool(func: Callable[..., ResultT]) -> Callable[..., ResultT]:
    """Register ``func`` in the catalog (decorator); returns it unchanged."""
    spec = build_spec(func)
    if spec.name in _REGISTRY and _REGISTRY[spec.name].func is not func:
        raise ValueError(f"two tools named {spec.name!r}")
    _REGISTRY[spec.name] = spec
    return func


def build_spec(func: ToolFunc) -> ToolSpec:
    """Derive a catalog entry from a tool function."""
    doc = inspect.getdoc(func)
    if not doc:
        raise TypeError(f"tool {func.__name__} needs a docstring written for the model")
    description, arg_docs = _split_docstring(doc)
    hints = typing.get_type_hints(func)
    result_model = hints.get("return")
    if not (isinstance(result_model, type) and issubclass(result_model, BaseModel)):
        raise TypeError(f"tool {func.__name__} must return a pydantic model")
    params = list(inspect.signature(func).parameters.values())
    if not params or params[0].kind is inspect.Parameter.KEYWORD_ONLY:
        raise TypeError(f"tool {func.__name__} must take the ToolContext first")
    fields: dict[str, Any] = {}
    for param in params[1:]:
        if param.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"tool {func.__name__}: argument {param.name} must be keyword-only")
        if param.name not in arg_docs:
            raise TypeError(f"tool {func.__name__}: argument {param.name} lacks an Args: entry")
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (
            hints[param.name],
            Field(default=default, description=arg_docs[param.name]),
        )
    input_model = create_model(
        _camel(func.__name__) + "Args",
        __config__=ConfigDict(extra="forbid"),
        **fields,
    )
    return ToolSpec(func.__name__, func, description, input_model, result_model)


def _split_docstring(doc: str) -> tuple[str, dict[str, str]]:
    parts = _ARGS_HEADER.split(doc, maxsplit=1)
    description = parts[0].strip()
    arg_docs: dict[str, str] = {}
    if len(parts) == 2:
        current: str | None = None
        for line in parts[1].splitlines():
            match = _ARG_LINE.match(line)
            if match:
                current = match.group(1)
                arg_docs[current] = match.group(2).strip()
            elif current and line.startswith(" " * 8):
                arg_docs[current] += " " + line.strip()
            elif line.strip():
                current = None
    return description, arg_docs


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def load_catalog(modules: tuple[str, ...] = TOOL_MODULES) -> dict[str, ToolSpec]:
    """Import every tool module (registering its tools) and return the catalog by name."""
    for module in modules:
        importlib.import_module(module)
    return dict(_REGISTRY)
