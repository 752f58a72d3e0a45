"""The ``--mapping`` file: how a foreign CRM export maps onto the canonical files.

YAML or JSON, one entry per canonical table (``opportunities`` or ``opportunities.csv``)::

    opportunities:
      file: deals_export.csv          # read this file instead of opportunities.csv
      columns:                        # source header -> canonical column (null: drop quietly)
        Deal Stage: stage
        Internal Score: null
      values:                         # canonical column -> {source value: canonical value}
        stage: {"Closed Won": won}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class _TextLoader(yaml.SafeLoader):
    """YAML where every scalar but ``null`` stays text: ``yes`` and ``007`` match CSV cells."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class MappingError(ValueError):
    """The mapping file cannot be read or names a table that cannot be imported."""


class FileMapping(BaseModel):
    """How one source file maps onto one canonical file."""

    model_config = ConfigDict(extra="forbid")

    file: str | None = Field(default=None, description="Source file name inside the folder.")
    columns: dict[str, str | None] = Field(
        default_factory=dict, description="Source header -> canonical column (None drops it)."
    )
    values: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Canonical column -> {source value: canonical value}."
    )

    @field_validator("values", mode="before")
    @classmethod
    def _as_text(cls, raw: Any) -> Any:
        """JSON numbers and booleans are matched as the text a CSV cell would hold."""
        if not isinstance(raw, dict):
            return raw
        return {
            col: {_text(k): _text(v) for k, v in pairs.items()}
            if isinstance(pairs, dict)
            else pairs
            for col, pairs in raw.items()
        }

    def rename(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """Apply the column renames; return the frame and the columns dropped on purpose."""
        dropped = [c for c, target in self.columns.items() if target is None and c in frame]
        renames = {c: t for c, t in self.columns.items() if t is not None}
        return frame.drop(columns=dropped).rename(columns=renames), dropped

    def map_values(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Replace mapped values (exact match after stripping) in the canonical columns."""
        for column, pairs in self.values.items():
            if column in frame:
                frame[column] = frame[column].replace(pairs)
        return frame


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def load_mapping(path: Path, known_tables: set[str]) -> dict[str, FileMapping]:
    """Read a YAML/JSON mapping file into ``{table: FileMapping}``."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix == ".json" else yaml.load(text, _TextLoader)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read the mapping: {exc}") from exc
    if not isinstance(raw, dict):
        raise MappingError(f"{path}: expected a mapping of table names to entries")
    mappings: dict[str, FileMapping] = {}
    for name, entry in raw.items():
        table = str(name).removesuffix(".csv")
        if table not in known_tables:
            raise MappingError(f"{path}: {name!r} is not an importable table")
        try:
            mappings[table] = FileMapping.model_validate(entry or {})
        except ValidationError as exc:
            raise MappingError(f"{path}: {name}: {exc}") from exc
    return mappings
