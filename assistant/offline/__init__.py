"""The offline planner: the embedded default when no LLM is configured.

Deterministic and light: TF-IDF intent matching (scikit-learn, fitted once per process),
rapidfuzz entity matching over the caller's scoped data, templated answers. Imports
``tools``, ``crm`` and ``assistant`` only; never langchain, torch or the notes index.
"""

from assistant.offline.planner import OfflinePlanner

__all__ = ["OfflinePlanner"]
