"""``/v1/ask``: a question to the assistant, answered with its trace."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import AssistantDep, CallerDep
from api.errors import ApiError
from assistant.answer import Answer
from assistant.memory import UnknownThread

router = APIRouter(prefix="/v1", tags=["assistant"])


class Question(BaseModel):
    """A question, optionally following up a thread."""

    question: str = Field(min_length=1, max_length=4000, description="The question.")
    thread_id: str | None = Field(
        default=None, max_length=32, description="Thread of a former answer, to follow up."
    )


@router.post("/ask", response_model=Answer)
def ask(body: Question, assistant: AssistantDep, caller: CallerDep) -> Answer:
    """Answer a question about your customers and pipeline, with the tool calls behind it."""
    try:
        return assistant.ask(body.question, caller=caller, thread_id=body.thread_id)
    except UnknownThread as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
