"""Importing into the store (SQLite and PostgreSQL): round-trip, idempotence, updates, atomicity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from import_builders import TABLES, example_folder, messages, replace_in, run, snapshot
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm.models import (
    Account,
    Activity,
    CloseDateChange,
    Lead,
    MarketingSpend,
    Opportunity,
    Order,
    Product,
    Stage,
    StageHistory,
    Survey,
    Ticket,
    User,
)

UTC = dt.UTC


def test_every_example_file_round_trips_with_cents_and_utc_timestamps(
    engine: Engine, tmp_path: Path
) -> None:
    result = run(engine, example_folder(tmp_path))
    assert result.ok, messages(result)
    assert {t.table for t in result.tables} == set(TABLES)
    with Session(engine) as s:
        group = s.get(Account, "A-GRP1")
        assert group is not None
        assert group.created_at == dt.datetime(2022, 1, 15, 8, 30, tzinfo=UTC)
        assert group.created_at.tzinfo is not None
        assert group.annual_revenue_cents == 82_000_000_000
        sub = s.get(Account, "A-SUB1")
        assert sub is not None and sub.parent_id == "A-GRP1"
        assert sub.annual_revenue_cents == 1_500_000_050
        assert sub.created_at == dt.datetime(2023, 3, 1, tzinfo=UTC)
        assert s.get(User, "U-REP1").manager_id == "U-MGR1"  # type: ignore[union-attr]
        assert s.get(Product, "P-ADDON").unit_cost_cents == 40_025  # type: ignore[union-attr]
        assert s.get(Stage, "negotiation").probability == 0.75  # type: ignore[union-attr]
        order = s.get(Order, "R-3")
        assert order is not None
        assert (order.amount_cents, order.cost_cents, order.order_date) == (
            199_999,
            None,
            dt.date(2024, 1, 31),
        )
        deal = s.get(Opportunity, "O-3")
        assert deal is not None and deal.account_id is None and deal.amount_cents == 0
        entered = s.exec(
            select(StageHistory.entered_at).where(StageHistory.stage == "negotiation")
        ).one()
        assert entered == dt.datetime(2024, 4, 2, 12, 30, tzinfo=UTC)
        change = s.exec(select(CloseDateChange)).one()
        assert change.new_close_date == dt.date(2024, 6, 30)
        note = s.get(Activity, "N-1")
        assert note is not None and note.body is not None
        assert note.body.endswith("email over calls.") and "\n" in note.body
        ticket = s.get(Ticket, "T-2")
        assert ticket is not None and ticket.csat is None and ticket.first_response_at is None
        assert s.get(Survey, "S-1").answered_at == dt.datetime(2024, 3, 31, tzinfo=UTC)  # type: ignore[union-attr]
        assert s.get(Lead, "L-2").converted_account_id == "A-SOLO"  # type: ignore[union-attr]
        spend = s.exec(
            select(MarketingSpend.amount_cents).order_by(col(MarketingSpend.amount_cents))
        )
        assert spend.all() == [450_050, 470_000, 1_200_000]


def test_importing_the_same_folder_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    folder = example_folder(tmp_path)
    run(engine, folder)
    before = snapshot(engine)
    again = run(engine, folder)
    assert again.ok
    assert all(t.inserted == 0 and t.updated == 0 and t.unchanged == t.rows for t in again.tables)
    assert snapshot(engine) == before


def test_a_changed_row_is_updated_in_place(engine: Engine, tmp_path: Path) -> None:
    folder = example_folder(tmp_path)
    run(engine, folder)
    replace_in(folder / "orders.csv", "R-3,A-GRP1,2024-01-31,1999.99", "R-3,A-GRP1,2024-02-01,2100")
    replace_in(folder / "marketing_spend.csv", "paid_search,4700", "paid_search,4800.10")
    result = run(engine, folder)
    outcome = {t.table: (t.inserted, t.updated, t.unchanged) for t in result.tables}
    assert outcome["orders"] == (0, 1, 2)
    assert outcome["marketing_spend"] == (0, 1, 2)
    with Session(engine) as s:
        order = s.get(Order, "R-3")
        assert order is not None
        assert (order.amount_cents, order.order_date) == (210_000, dt.date(2024, 2, 1))
        assert len(s.exec(select(Order)).all()) == 3
        assert 480_010 in s.exec(select(MarketingSpend.amount_cents)).all()


def test_references_may_point_at_rows_already_stored(engine: Engine, tmp_path: Path) -> None:
    run(engine, example_folder(tmp_path))
    later = tmp_path / "later"
    later.mkdir()
    (later / "orders.csv").write_text(
        "id,account_id,order_date,amount,product_id,opportunity_id\n"
        "R-9,A-SOLO,2024-06-01,10,P-CORE,O-2\n"
    )
    result = run(engine, later)
    assert result.ok, messages(result)
    with Session(engine) as s:
        assert s.get(Order, "R-9") is not None


def test_one_bad_row_in_the_last_file_leaves_the_store_unchanged(
    engine: Engine, tmp_path: Path
) -> None:
    folder = example_folder(tmp_path)
    replace_in(folder / "marketing_spend.csv", "events,12000", "events,12 000")
    result = run(engine, folder)
    assert not result.ok and not result.committed
    assert messages(result) == ["marketing_spend.csv:2: amount: not an amount ('12 000')"]
    assert all(rows == [] for rows in snapshot(engine).values())


def test_a_dry_run_counts_the_rows_but_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    result = run(engine, example_folder(tmp_path), dry_run=True)
    assert result.ok and not result.committed
    assert (
        sum(t.inserted for t in result.tables) == 41
    )  # 3 users, 3 accounts, 3 contacts, 2 products, 6 stages, 3 deals, ...

    assert all(rows == [] for rows in snapshot(engine).values())


def test_a_row_the_database_refuses_is_reported_and_nothing_is_written(
    engine: Engine, tmp_path: Path
) -> None:
    run(engine, example_folder(tmp_path, "stages"))
    later = tmp_path / "later"
    later.mkdir()
    (later / "products.csv").write_text("id,name\nP-NEW,New\n")
    (later / "stages.csv").write_text("name,position,probability\ndiscovery,1,0.05\n")
    result = run(engine, later)
    [problem] = messages(result)
    assert problem.startswith("stages.csv: -: the database refused the rows:")
    with Session(engine) as s:
        assert s.get(Product, "P-NEW") is None and s.get(Stage, "discovery") is None
