"""Column specs from the models and the vectorised text conversions."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from crm.importer.convert import parse_date, parse_datetime, parse_int, parse_money, to_python
from crm.importer.spec import spec_for, table_specs


def _errors(parsed: object, text: pd.Series) -> dict[str, list[str]]:
    return {reason: text[mask].tolist() for mask, reason in parsed.errors if mask.any()}  # type: ignore[attr-defined]


def test_every_reference_points_at_a_table_loaded_earlier() -> None:
    order = [s.table for s in table_specs()]
    for spec in table_specs():
        for column in spec.columns:
            if column.ref and column.ref[0] != spec.table:
                assert order.index(column.ref[0]) < order.index(spec.table), column


def test_money_columns_drop_the_cents_suffix_and_rules_come_from_the_models() -> None:
    orders = spec_for("orders")
    assert [c.name for c in orders.columns if c.kind == "money"] == ["amount", "cost"]
    assert orders.column("amount").db == "amount_cents" and orders.column("amount").required
    assert (spec_for("tickets").column("csat").low, spec_for("tickets").column("csat").high) == (
        1,
        5,
    )
    assert spec_for("users").column("role").enum == ("rep", "manager", "admin")
    assert spec_for("stage_history").key == ("opportunity_id", "stage", "entered_at")
    assert spec_for("accounts").self_ref is not None


def test_money_becomes_exact_integer_cents() -> None:
    text = pd.Series(["0.1", "0.2", "-3.5", ".05", "12", "99999999999999.99", "", "1.005", "1e3"])
    parsed = parse_money(text)
    assert to_python(parsed.values, "money") == [
        10,
        20,
        -350,
        5,
        1200,
        9_999_999_999_999_999,
        None,
        None,
        None,
    ]
    assert _errors(parsed, text) == {
        "more than 2 decimal places": ["1.005"],
        "not an amount": ["1e3"],
    }


def test_timestamps_are_utc_whatever_the_input_form() -> None:
    text = pd.Series(["2024-03-01", "2024-03-01T10:00:00", "2024-03-01T10:00:00+02:00", "x"])
    parsed = parse_datetime(text)
    assert to_python(parsed.values, "datetime") == [
        dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
        dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC),
        dt.datetime(2024, 3, 1, 8, tzinfo=dt.UTC),
        None,
    ]
    assert _errors(parsed, text) == {"not an ISO-8601 date or datetime": ["x"]}


def test_a_date_column_takes_the_calendar_date_written_in_a_datetime() -> None:
    text = pd.Series(["2024-02-29", "2024-02-29T23:30:00-05:00", "2023-02-29"])
    parsed = parse_date(text)
    assert to_python(parsed.values, "date") == [dt.date(2024, 2, 29), dt.date(2024, 2, 29), None]
    assert _errors(parsed, text) == {"not an ISO-8601 date": ["2023-02-29"]}


def test_whole_numbers_reject_decimals_and_exponents() -> None:
    text = pd.Series(["7", "-2", "7.0", "1e2", ""])
    parsed = parse_int(text)
    assert to_python(parsed.values, "int") == [7, -2, None, None, None]
    assert _errors(parsed, text) == {"not a whole number": ["7.0", "1e2"]}
