"""Validation: every problem is reported as ``file:line: column: reason (value)``, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_builders import example_folder, messages, run, snapshot, write_csv
from sqlalchemy.engine import Engine

from crm.importer import problems as problems_module


def _only(tmp_path: Path, *tables: str) -> Path:
    """The example files of ``tables`` only (none at all when no table is named)."""
    return example_folder(tmp_path, *(tables or ("-",)))


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("12,50", "not an amount"),
        ("12.505", "more than 2 decimal places"),
        ("twelve", "not an amount"),
    ],
)
def test_a_bad_amount_is_reported_with_file_line_and_column(
    sqlite_store: Engine, tmp_path: Path, value: str, reason: str
) -> None:
    folder = _only(tmp_path, "users", "accounts", "products", "stages", "opportunities")
    write_csv(
        folder,
        "orders.csv",
        f'id,account_id,order_date,amount\nR-1,A-GRP1,2024-01-01,10\nR-2,A-GRP1,2024-01-02,"{value}"\n',
    )
    assert messages(run(sqlite_store, folder)) == [f"orders.csv:3: amount: {reason} ({value!r})"]


def test_type_enum_range_and_required_problems_are_all_reported_at_once(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    folder = _only(tmp_path, "users", "accounts")
    write_csv(
        folder,
        "tickets.csv",
        """
id,account_id,kind,opened_at,status,csat
T-1,A-GRP1,outage,2024-01-01,open,4
T-2,A-GRP1,incident,yesterday,open,6
T-3,,question,2024-01-03,open,2.5
""",
    )
    assert messages(run(sqlite_store, folder)) == [
        "tickets.csv:2: kind: not one of complaint, question, incident ('outage')",
        "tickets.csv:3: csat: must be between 1 and 5 ('6')",
        "tickets.csv:3: opened_at: not an ISO-8601 date or datetime ('yesterday')",
        "tickets.csv:4: account_id: required value missing ('')",
        "tickets.csv:4: csat: not a whole number ('2.5')",
    ]


def test_probability_and_nps_outside_their_ranges_are_rejected(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    folder = _only(tmp_path, "users", "accounts")
    write_csv(folder, "stages.csv", "name,position,probability\nmaybe,1,1.5\n")
    write_csv(folder, "surveys.csv", "id,account_id,answered_at,nps\nS-1,A-GRP1,2024-01-01,11\n")
    assert messages(run(sqlite_store, folder)) == [
        "stages.csv:2: probability: must be between 0 and 1 ('1.5')",
        "surveys.csv:2: nps: must be between 0 and 10 ('11')",
    ]


def test_a_missing_required_column_is_reported_on_the_header_line(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    folder = _only(tmp_path)
    write_csv(folder, "products.csv", "id,family\nP-1,Platform\n")
    assert messages(run(sqlite_store, folder)) == ["products.csv:1: name: required column missing"]


def test_duplicate_ids_and_natural_keys_point_at_the_first_occurrence(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    folder = _only(tmp_path)
    write_csv(folder, "products.csv", "id,name\nP-1,A\nP-2,B\nP-1,C\n")
    write_csv(
        folder,
        "marketing_spend.csv",
        "period_start,period_end,channel,amount\n"
        "2024-01-01,2024-01-31,web,1\n2024-01-01,2024-01-31,web,2\n",
    )
    assert messages(run(sqlite_store, folder)) == [
        "marketing_spend.csv:3: channel: duplicate key (first on line 2) ('web')",
        "products.csv:4: id: duplicate value (first on line 2) ('P-1')",
    ]


def test_references_must_resolve_within_the_files_or_the_store(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    folder = _only(tmp_path, "users", "accounts", "products", "stages")
    write_csv(
        folder,
        "opportunities.csv",
        "id,name,account_id,owner_id,stage,created_at\n"
        "O-1,Deal,A-GRP1,U-REP1,proposal,2024-01-01\n"
        "O-2,Deal,A-NONE,U-REP1,closing,2024-01-01\n",
    )
    assert messages(run(sqlite_store, folder)) == [
        "opportunities.csv:3: account_id: unknown accounts id ('A-NONE')",
        "opportunities.csv:3: stage: unknown stages name ('closing')",
    ]


def test_a_cycle_of_parent_accounts_cannot_be_loaded(sqlite_store: Engine, tmp_path: Path) -> None:
    folder = _only(tmp_path)
    write_csv(
        folder,
        "accounts.csv",
        "id,name,parent_id,created_at\nA,a,B,2024-01-01\nB,b,A,2024-01-01\nC,c,,2024-01-01\n",
    )
    assert messages(run(sqlite_store, folder)) == [
        "accounts.csv:2: parent_id: reference cycle ('B')",
        "accounts.csv:3: parent_id: reference cycle ('A')",
    ]


def test_ids_longer_than_the_column_allows_are_rejected(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    folder = _only(tmp_path)
    write_csv(folder, "products.csv", f"id,name\n{'x' * 65},Long\n")
    assert messages(run(sqlite_store, folder)) == [
        f"products.csv:2: id: longer than 64 characters ({'x' * 65!r})"
    ]


def test_line_numbers_count_values_that_span_several_lines(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    folder = _only(tmp_path)
    write_csv(
        folder,
        "activities.csv",
        'id,kind,occurred_at,body\nN-1,call,2024-01-01,"line one\nline two\n\nline four"\n'
        "\nN-2,visit,2024-01-02,short\n",
    )
    assert messages(run(sqlite_store, folder)) == [
        "activities.csv:7: kind: not one of call, email, meeting, note, task ('visit')"
    ]


def test_an_unreadable_file_is_a_problem_not_a_crash(sqlite_store: Engine, tmp_path: Path) -> None:
    folder = _only(tmp_path)
    write_csv(folder, "products.csv", "id,name\nP-1,A\nP-2,B,extra,fields\n")
    [problem] = messages(run(sqlite_store, folder))
    assert problem.startswith("products.csv:3: -: unreadable")


def test_every_problem_is_counted_even_beyond_those_kept(
    sqlite_store: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(problems_module, "KEEP_AT_MOST", 3)
    folder = _only(tmp_path)
    write_csv(
        folder, "products.csv", "id,name,list_price\n" + "".join(f"P{i},n,x\n" for i in range(8))
    )
    result = run(sqlite_store, folder)
    assert (result.problems.total, len(result.problems.kept)) == (8, 3)
    assert snapshot(sqlite_store)["products"] == []


def test_unknown_columns_and_files_are_ignored_with_a_warning(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    folder = _only(tmp_path)
    write_csv(folder, "products.csv", "id,name,colour\nP-1,Core,blue\n")
    write_csv(folder, "invoices.csv", "id\n1\n")
    result = run(sqlite_store, folder)
    assert result.ok and result.committed
    assert result.warnings == [
        "invoices.csv: not a canonical file name, ignored",
        "products.csv: ignoring unknown column(s): colour",
    ]
