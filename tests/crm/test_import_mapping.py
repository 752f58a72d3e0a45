"""The ``--mapping`` file: renamed files and columns, mapped values, dropped columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from import_builders import EXAMPLE, example_folder, messages, run, write_csv
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.importer import MappingError, load_mapping, table_specs
from crm.models import Account, Opportunity

KNOWN = {s.table for s in table_specs()}
FOREIGN = EXAMPLE.parent / "foreign"
MAPPING = EXAMPLE.parent / "mapping.yaml"


def test_the_foreign_crm_example_imports_through_the_example_mapping(
    engine: Engine, tmp_path: Path
) -> None:
    run(engine, example_folder(tmp_path))
    result = run(engine, FOREIGN, mapping=load_mapping(MAPPING, KNOWN))
    assert result.ok, messages(result)
    assert result.warnings == []
    with Session(engine) as s:
        deal = s.get(Opportunity, "HS-D1")
        assert deal is not None
        assert (deal.stage, deal.owner_id, deal.product_id, deal.amount_cents) == (
            "negotiation",
            "U-REP1",
            "P-CORE",
            3_600_000,
        )
        subsidiary = s.get(Account, "HS-102")
        assert subsidiary is not None and subsidiary.parent_id == "HS-101"


def test_a_json_mapping_renames_columns_and_maps_values(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    folder = example_folder(tmp_path, "-")
    write_csv(folder, "pipeline.csv", "Stage Name,Order,Win %\nOpen,1,0.1\nDone,2,1\n")
    mapping_file = tmp_path / "map.json"
    mapping_file.write_text(
        json.dumps(
            {
                "stages.csv": {
                    "file": "pipeline.csv",
                    "columns": {"Stage Name": "name", "Order": "position", "Win %": "probability"},
                    "values": {"name": {"Open": "proposal", "Done": "won"}},
                }
            }
        )
    )
    result = run(sqlite_store, folder, mapping=load_mapping(mapping_file, KNOWN))
    assert result.ok, messages(result)
    assert [(t.file, t.inserted) for t in result.tables] == [("pipeline.csv", 2)]


def test_yaml_values_that_look_like_numbers_or_booleans_are_matched_as_text(
    tmp_path: Path,
) -> None:
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text("users:\n  values:\n    role: {1: rep, yes: admin, 0.50: manager}\n")
    mapping = load_mapping(mapping_file, KNOWN)
    assert mapping["users"].values == {"role": {"1": "rep", "yes": "admin", "0.50": "manager"}}


def test_a_mapping_naming_an_unknown_table_is_refused(tmp_path: Path) -> None:
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text("invoices:\n  columns: {No: id}\n")
    with pytest.raises(MappingError, match="'invoices' is not an importable table"):
        load_mapping(mapping_file, KNOWN)


def test_a_mapping_with_a_misspelt_entry_is_refused(tmp_path: Path) -> None:
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text("users:\n  colums: {Name: name}\n")
    with pytest.raises(MappingError, match="colums"):
        load_mapping(mapping_file, KNOWN)


def test_a_renamed_file_that_is_missing_is_reported(sqlite_store: Engine, tmp_path: Path) -> None:
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text("users:\n  file: people.csv\n")
    folder = example_folder(tmp_path, "-")
    result = run(sqlite_store, folder, mapping=load_mapping(mapping_file, KNOWN))
    assert messages(result) == ["people.csv: -: file named in the mapping is missing"]
