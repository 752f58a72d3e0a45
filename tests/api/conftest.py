"""API fixtures: the app on the world of :mod:`builders_api`, a TestClient and the keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from builders_api import build_world, make_assistant, settings_for
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from knowledge.search import NoteIndex, open_note_index
from tests.knowledge.conftest import FakeEmbedder


@pytest.fixture
def keys(engine: Engine) -> dict[str, str]:
    """The world stored in ``engine``; an API key per user id."""
    return build_world(engine)


@pytest.fixture
def note_index(tmp_path: Path) -> NoteIndex:
    """An embedded Chroma index in ``tmp_path`` with the fake embedder (opened lazily)."""
    return open_note_index(tmp_path, embedder=FakeEmbedder())


@pytest.fixture
def client(
    engine: Engine, keys: dict[str, str], tmp_path: Path, note_index: NoteIndex
) -> Iterator[TestClient]:
    """A client of the app on the world (server errors come back as responses)."""
    settings = settings_for(tmp_path)
    app = create_app(
        settings, engine=engine, assistant=make_assistant(engine, settings, note_index)
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
