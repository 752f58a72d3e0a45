"""The LLM planner's failure, importable without langchain (the service catches it)."""

from __future__ import annotations


class LLMFailure(RuntimeError):
    """The model could not answer; ``notice`` says why in one line for the user."""

    def __init__(self, notice: str) -> None:
        super().__init__(notice)
        self.notice = notice
