"""Extraction of decision-chain roles and preferences from interaction notes.

Two extractors share one interface (:class:`knowledge.extract.base.Extractor`): the
offline default (:mod:`knowledge.extract.offline`: sentence splitting, person detection
and linking, cue lexicons, negation) and an LLM extractor
(:mod:`knowledge.extract.llm`) that takes an injected ``complete_json`` callable and falls
back to the offline one. Both return :class:`knowledge.extract.types.Extraction`.

Must not import langchain, fastapi or slack; nothing heavy at import time.
"""

from knowledge.extract.base import Extractor
from knowledge.extract.offline import OfflineExtractor
from knowledge.extract.types import (
    Evidence,
    Extraction,
    KnownContact,
    PersonRole,
    Preference,
)

__all__ = [
    "Evidence",
    "Extraction",
    "Extractor",
    "KnownContact",
    "OfflineExtractor",
    "PersonRole",
    "Preference",
]
