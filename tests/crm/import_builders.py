"""Folders of canonical CSV files for the import tests (a copy of examples/csv to edit)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from crm.importer import ImportResult, import_folder

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "csv"
TABLES = (
    "users",
    "accounts",
    "contacts",
    "products",
    "stages",
    "opportunities",
    "orders",
    "stage_history",
    "close_date_changes",
    "activities",
    "tickets",
    "surveys",
    "leads",
    "marketing_spend",
)


def example_folder(tmp_path: Path, *only: str) -> Path:
    """A copy of examples/csv (only the named tables, if any) that a test may edit."""
    folder = tmp_path / "csv"
    folder.mkdir()
    for path in EXAMPLE.glob("*.csv"):
        if not only or path.stem in only:
            shutil.copy(path, folder / path.name)
    return folder


def write_csv(folder: Path, name: str, text_: str) -> Path:
    """Write ``text_`` (leading newline dropped) as ``folder/name``."""
    path = folder / name
    path.write_text(text_.lstrip("\n"), encoding="utf-8")
    return path


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit one value of a CSV file in place."""
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def run(engine: Engine, folder: Path, **kwargs: object) -> ImportResult:
    """Import ``folder`` into ``engine``."""
    return import_folder(engine, folder, **kwargs)  # type: ignore[arg-type]


def messages(result: ImportResult) -> list[str]:
    """Every kept problem as ``file:line: column: reason (value)``."""
    return [str(p) for p in result.problems.sorted()]


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every importable table, sorted, to compare stores."""
    with engine.connect() as conn:
        return {
            t: sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {t}"))) for t in TABLES
        }
