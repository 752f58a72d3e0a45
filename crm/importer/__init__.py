"""Canonical CSV import: one file per table, checked in bulk, upserted in one transaction.

``import_folder(engine, folder, mapping=..., dry_run=...)`` is the entry point; the
column specs come from ``crm.models``. Imports only pandas/numpy, sqlalchemy/sqlmodel,
pydantic and pyyaml; never ``tools``, ``knowledge``, ``assistant`` or ``api``.
"""

from crm.importer.mapping import FileMapping, MappingError, load_mapping
from crm.importer.problems import Problem, Problems
from crm.importer.run import ImportResult, Progress, import_folder
from crm.importer.spec import table_specs
from crm.importer.write import TableOutcome

__all__ = [
    "FileMapping",
    "ImportResult",
    "MappingError",
    "Problem",
    "Problems",
    "Progress",
    "TableOutcome",
    "import_folder",
    "load_mapping",
    "table_specs",
]
