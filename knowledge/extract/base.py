"""The :class:`Extractor` protocol shared by the offline and the LLM extractor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from knowledge.extract.types import Extraction, KnownContact


@runtime_checkable
class Extractor(Protocol):
    """Turns a note's text into people with roles and preferences."""

    name: str

    def extract(
        self,
        text: str,
        *,
        note_id: str | None = None,
        known_contacts: Sequence[KnownContact] = (),
    ) -> Extraction:
        """Extract the facts ``text`` states, linking names to ``known_contacts``."""
        ...
