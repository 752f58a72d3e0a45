"""The one settings object: every ``DEALWISE_*`` variable and ``.env`` entry.

Only the edges (the CLI, the API, the assistant factory) call :func:`get_settings`;
everything below them receives plain values.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Dealwise configuration, read from the environment (``DEALWISE_`` prefix) and ``.env``."""

    model_config = SettingsConfigDict(
        env_prefix="DEALWISE_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    database_url: str = Field(
        default="sqlite:///dealwise.db",
        description="SQLAlchemy URL of the CRM store (SQLite file or postgresql+psycopg://...).",
    )
    as_of: dt.date | None = Field(
        default=None, description="Analysis date ('today'); records dated after it are ignored."
    )
    currency: str = Field(default="EUR", description="ISO currency code used in answers.")
    default_gross_margin: float = Field(
        default=0.35, ge=0, le=1, description="Gross margin used when orders carry no cost."
    )

    data_dir: Path = Field(default=Path(".dealwise"), description="Folder for local state.")
    chroma_url: str | None = Field(default=None, description="Chroma server URL (HttpClient).")
    embedding_model: str | None = Field(
        default=None,
        description="Path of a sentence-transformers model (default: packaged all-MiniLM-L6-v2).",
    )

    llm_model: str | None = Field(default=None, description="Chat model name; unset = offline.")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible base URL.")
    llm_api_key: SecretStr | None = Field(default=None, description="API key for the LLM server.")
    llm_timeout_s: float = Field(default=30.0, gt=0)
    llm_max_tool_rounds: int = Field(default=6, ge=1)

    api_threads: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="Worker threads per API process; default 2 offline, 40 with an LLM.",
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = Field(default=None, description="Slack Web API base URL override.")

    def worker_threads(self) -> int:
        """Threads per API process for sync routes and dependencies (blocking work).

        Offline, a request is CPU-bound Python: two threads let a fast request pass a
        slow one (a model fit), and more only queue for the GIL, each thread costing CPU
        in switches and its own database connection (``benchmarks api_load``: 4.8-5.2 ms
        of CPU per summary with 2 threads, 5.3-7.0 ms with 8). With an LLM, an answer
        mostly waits for the model, so many may be in flight.
        """
        if self.api_threads is not None:
            return self.api_threads
        return 40 if self.llm_model else 2

    def analysis_date(self) -> dt.date:
        """The pinned ``as_of`` date, or today's date in UTC."""
        return self.as_of or dt.datetime.now(dt.UTC).date()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once)."""
    return Settings()
