"""The chat model: ``ChatOpenAI`` on OpenAI or any OpenAI-compatible server.

vLLM, Ollama and llama.cpp serve the same ``/v1/chat/completions`` API: point
``DEALWISE_LLM_BASE_URL`` at them. The key comes from ``DEALWISE_LLM_API_KEY``, else
``OPENAI_API_KEY``; local servers that need none get a placeholder. Retries (with
the OpenAI client's exponential backoff, honouring ``Retry-After``) cover 429, 5xx
and connection errors; the timeout is per request.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pydantic import SecretStr

from crm.settings import Settings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

MAX_RETRIES = 2
LOCAL_KEY = "not-needed"


class LLMNotConfigured(RuntimeError):
    """No model name, or no API key for OpenAI itself."""


def api_key(settings: Settings) -> SecretStr | None:
    """The API key: ``DEALWISE_LLM_API_KEY``, else ``OPENAI_API_KEY``, else none."""
    if settings.llm_api_key is not None:
        return settings.llm_api_key
    env = os.environ.get("OPENAI_API_KEY")
    return SecretStr(env) if env else None


def chat_model(settings: Settings, *, max_retries: int = MAX_RETRIES) -> ChatOpenAI:
    """The configured chat model (no request is made here)."""
    from langchain_openai import ChatOpenAI

    if not settings.llm_model:
        raise LLMNotConfigured("DEALWISE_LLM_MODEL is not set")
    key = api_key(settings)
    if key is None:
        if not settings.llm_base_url:
            raise LLMNotConfigured("set DEALWISE_LLM_API_KEY or OPENAI_API_KEY for OpenAI")
        key = SecretStr(LOCAL_KEY)
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=key,
        timeout=settings.llm_timeout_s,
        max_retries=max_retries,
        temperature=0,
        use_responses_api=False,
        stream_usage=False,
    )
