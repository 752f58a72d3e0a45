"""``/healthz`` (the process is up) and ``/readyz`` (the DB and the vector store answer)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from api.deps import AppState, StateDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """Liveness."""

    status: Literal["ok"] = Field(description="Always 'ok' when the process answers.")


class Check(BaseModel):
    """One dependency check."""

    ok: bool = Field(description="Whether the dependency answered.")
    detail: str = Field(description="What was checked, or why it failed.")


class Readiness(BaseModel):
    """Readiness: every dependency answered."""

    status: Literal["ready", "unavailable"] = Field(description="'ready' when every check is ok.")
    database: Check = Field(description="The CRM store.")
    vector_store: Check = Field(description="The notes index (Chroma).")


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """Answer when the process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(state: StateDep) -> JSONResponse:
    """Check that the CRM store and the vector store answer (503 when one does not)."""
    database, vectors = _database(state), _vector_store(state)
    ready = database.ok and vectors.ok
    body = Readiness(
        status="ready" if ready else "unavailable", database=database, vector_store=vectors
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


def _database(state: AppState) -> Check:
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return Check(ok=False, detail=f"database unreachable: {type(exc).__name__}")
    return Check(ok=True, detail=f"{state.engine.dialect.name} answered")


def _vector_store(state: AppState) -> Check:
    url = state.settings.chroma_url
    if url:
        return _chroma_server(url)
    folder = state.settings.data_dir
    probe = folder if folder.exists() else folder.parent
    if not probe.resolve().is_dir():
        return Check(ok=False, detail=f"{folder} cannot be created")
    return Check(ok=True, detail=f"embedded Chroma in {folder / 'chroma'}")


def _chroma_server(url: str) -> Check:
    import httpx

    try:
        response = httpx.get(f"{url.rstrip('/')}/api/v2/heartbeat", timeout=2.0)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return Check(ok=False, detail=f"Chroma server at {url} unreachable: {type(exc).__name__}")
    return Check(ok=True, detail=f"Chroma server at {url} answered")
