"""Domain failures of tools: small typed exceptions the planners and the API translate."""

from __future__ import annotations


class ToolError(Exception):
    """Base of every expected tool failure; ``status`` is the HTTP status the API uses."""

    status = 422
    code = "tool_error"


class NotFound(ToolError):
    """The record does not exist or is outside the caller's scope (never says which)."""

    status = 404
    code = "not_found"

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found or not yours")
        self.kind = kind
        self.key = key


class Ambiguous(ToolError):
    """A name matched several records equally well; the caller should pick one."""

    code = "ambiguous"

    def __init__(self, kind: str, key: str, candidates: list[tuple[str, str]]) -> None:
        names = ", ".join(f"{name} ({id_})" for id_, name in candidates)
        super().__init__(f"{kind} {key!r} is ambiguous: did you mean {names}?")
        self.kind = kind
        self.key = key
        self.candidates = candidates


class InsufficientHistory(ToolError):
    """Not enough data to compute the figure; the message says what is missing."""

    code = "insufficient_history"


class InvalidArgument(ToolError):
    """An argument is well-typed but makes no sense (e.g. a window that ends before it starts)."""

    code = "invalid_argument"


class FitFailed(ToolError):
    """A statistical model did not converge; the message says what to try."""

    code = "fit_failed"
