"""What each canonical CSV file holds, derived from the table definitions in ``crm.models``.

A column's type, whether it may be empty, its default, its length limit and what it
refers to come from the SQLModel table; the few rules the tables cannot express
(enum names, non-negative counters) are listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from annotated_types import Ge, Le
from pydantic_core import PydanticUndefined
from sqlalchemy import Column, Date, DateTime, Float, Integer, String, Table, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from crm import models

Kind = Literal["str", "int", "float", "money", "date", "datetime"]

IMPORTABLE: tuple[type[SQLModel], ...] = (
    models.User,
    models.Account,
    models.Contact,
    models.Product,
    models.Stage,
    models.Opportunity,
    models.Order,
    models.StageHistory,
    models.CloseDateChange,
    models.Activity,
    models.Ticket,
    models.Survey,
    models.Lead,
    models.MarketingSpend,
)

ENUM_COLUMNS: dict[tuple[str, str], str] = {
    ("users", "role"): "role",
    ("stages", "outcome"): "outcome",
    ("activities", "kind"): "activity_kind",
    ("tickets", "kind"): "ticket_kind",
    ("tickets", "status"): "ticket_status",
    ("leads", "status"): "lead_status",
}

NON_NEGATIVE: frozenset[tuple[str, str]] = frozenset(
    {
        ("accounts", "employees"),
        ("leads", "employees"),
        ("leads", "email_opens"),
        ("leads", "page_views"),
        ("leads", "form_submissions"),
        ("leads", "events_attended"),
    }
)

MONEY_SUFFIX = "_cents"


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical CSV column and the table column it fills."""

    name: str
    db: str
    kind: Kind
    required: bool
    default: Any
    max_length: int | None = None
    enum: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None
    ref: tuple[str, str] | None = None
    unique: bool = False


@dataclass(frozen=True)
class TableSpec:
    """One canonical CSV file: its columns, its upsert key and its self reference."""

    table: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]

    @property
    def file(self) -> str:
        """The canonical file name (``orders.csv``)."""
        return f"{self.table}.csv"

    @property
    def self_ref(self) -> ColumnSpec | None:
        """The column that points at another row of the same table (``parent_id``), if any."""
        return next((c for c in self.columns if c.ref and c.ref[0] == self.table), None)

    def column(self, name: str) -> ColumnSpec:
        """The column called ``name`` (canonical name)."""
        return next(c for c in self.columns if c.name == name)


def _kind(column: Column[Any]) -> Kind:
    sa_type = column.type
    if isinstance(sa_type, TypeDecorator):
        sa_type = sa_type.impl_instance
    if isinstance(sa_type, DateTime):
        return "datetime"
    if isinstance(sa_type, Date):
        return "date"
    if isinstance(sa_type, Integer):
        return "money" if column.name.endswith(MONEY_SUFFIX) else "int"
    if isinstance(sa_type, Float):
        return "float"
    if isinstance(sa_type, String):
        return "str"
    raise TypeError(f"{column.table.name}.{column.name}: no CSV conversion for {sa_type!r}")


def _bounds(model: type[SQLModel], table: str, name: str) -> tuple[float | None, float | None]:
    low: float | None = 0 if (table, name) in NON_NEGATIVE else None
    high: float | None = None
    for meta in model.model_fields[name].metadata:
        if isinstance(meta, Ge):
            low = float(meta.ge)  # type: ignore[arg-type]
        if isinstance(meta, Le):
            high = float(meta.le)  # type: ignore[arg-type]
    return low, high


def _column_spec(model: type[SQLModel], column: Column[Any]) -> ColumnSpec:
    table = column.table.name
    field = model.model_fields[column.name]
    default = None if field.default is PydanticUndefined else field.default
    kind = _kind(column)
    ref = next(((fk.column.table.name, fk.column.name) for fk in column.foreign_keys), None)
    enum_name = ENUM_COLUMNS.get((table, column.name))
    low, high = _bounds(model, table, column.name)
    return ColumnSpec(
        name=column.name.removesuffix(MONEY_SUFFIX) if kind == "money" else column.name,
        db=column.name,
        kind=kind,
        required=not column.nullable and default is None,
        default=default,
        max_length=getattr(column.type, "length", None),
        enum=models.ENUMS[enum_name] if enum_name else None,
        low=low,
        high=high,
        ref=ref,
        unique=bool(column.unique),
    )


def _surrogate(table: Table) -> bool:
    pk = list(table.primary_key.columns)
    return len(pk) == 1 and isinstance(pk[0].type, Integer)


def _table_spec(model: type[SQLModel]) -> TableSpec:
    table: Table = model.__table__  # type: ignore[attr-defined]
    surrogate = _surrogate(table)
    columns = tuple(
        _column_spec(model, c) for c in table.columns if not (surrogate and c.primary_key)
    )
    if surrogate:
        unique = next(c for c in table.constraints if isinstance(c, UniqueConstraint))
        key = tuple(c.name for c in unique.columns)
    else:
        key = tuple(c.name for c in table.primary_key.columns)
    return TableSpec(table=table.name, columns=columns, key=key)


@cache
def table_specs() -> tuple[TableSpec, ...]:
    """Every importable table, in load order (``IMPORTABLE``: referenced tables first)."""
    return tuple(_table_spec(m) for m in IMPORTABLE)


def spec_for(table: str) -> TableSpec:
    """The spec of ``table`` (KeyError if it is not importable)."""
    found = {s.table: s for s in table_specs()}
    return found[table]
