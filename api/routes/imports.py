"""``/v1/import``: load a zip of canonical CSV files, all or nothing (admins only)."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field

from api.deps import CallerDep, SessionDep, StateDep
from api.errors import ApiError, FieldError
from crm.importer import Problems, import_folder
from crm.models import User

router = APIRouter(prefix="/v1", tags=["import"])

MAX_UNZIPPED = 512 * 1024 * 1024
SHOWN_PROBLEMS = 50


class TableImported(BaseModel):
    """What the import did to one table."""

    table: str = Field(description="Table name.")
    file: str = Field(description="CSV file it came from.")
    rows: int = Field(description="Rows in the file.")
    inserted: int = Field(description="New rows.")
    updated: int = Field(description="Rows whose values changed.")
    unchanged: int = Field(description="Rows already stored with the same values.")


class ImportReport(BaseModel):
    """The outcome of a successful import (a failed one answers 422 and writes nothing)."""

    committed: bool = Field(description="False for a dry run: nothing was written.")
    tables: list[TableImported] = Field(description="Per-table counts.")
    warnings: list[str] = Field(description="Files ignored and similar notices.")


@router.post("/import", response_model=ImportReport)
def import_zip(
    state: StateDep,
    session: SessionDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="A zip of canonical CSV files.")],
    dry_run: Annotated[bool, Query(description="Check and count, but write nothing.")] = False,
) -> ImportReport:
    """Check every CSV of the zip and upsert them in one transaction (422 lists problems)."""
    user = session.get(User, caller)
    if user is None or user.role != "admin":
        raise ApiError(403, "forbidden", "only admins may import data")
    with tempfile.TemporaryDirectory(prefix="dealwise-import-") as tmp:
        folder = Path(tmp)
        _unzip(file, folder)
        result = import_folder(state.engine, folder, dry_run=dry_run)
    if not result.ok:
        raise _problems(result.problems)
    tables = [
        TableImported(table=t.table, file=t.file, rows=t.rows, inserted=t.inserted,
                      updated=t.updated, unchanged=t.unchanged)
        for t in result.tables
    ]  # fmt: skip
    return ImportReport(committed=result.committed, tables=tables, warnings=result.warnings)


def _unzip(upload: UploadFile, folder: Path) -> None:
    """Extract the zip's ``*.csv`` members flat into ``folder`` (no paths, bounded size)."""
    try:
        with zipfile.ZipFile(upload.file) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
            if sum(m.file_size for m in members) > MAX_UNZIPPED:
                raise ApiError(413, "too_large", "the zip unpacks to more than 512 MiB")
            for member in members:
                name = PurePosixPath(member.filename).name
                if name and not member.is_dir():
                    (folder / name).write_bytes(archive.read(member))
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ApiError(422, "invalid_argument", "the file is not a valid zip archive") from exc
    if not any(folder.iterdir()):
        raise ApiError(422, "invalid_argument", "the zip holds no CSV file")


def _problems(problems: Problems) -> ApiError:
    shown = problems.sorted()[:SHOWN_PROBLEMS]
    fields = [
        FieldError(field=f"{p.file}:{p.line}" if p.line else p.file, message=str(p)) for p in shown
    ]
    message = f"{problems.total} problem(s); nothing was written"
    return ApiError(422, "import_failed", message, fields)
