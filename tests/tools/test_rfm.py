from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine

from tests.tools.builders_accounts import AS_OF, Book, book_on, ctx_for
from tools import rfm
from tools.errors import InsufficientHistory, InvalidArgument, NotFound
from tools.rfm import account_rfm, rfm_table
from tools.rfm_rules import SEGMENTS
from tools.rfm_segments import rfm_segment_accounts, rfm_segment_distribution, rfm_segment_moves

GRID = {
    5: ["New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"],
    4: ["Promising", "Potential Loyalists", "Loyal Customers", "Champions", "Champions"],
    3: ["About to Sleep", "About to Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"],
    2: ["Hibernating", "Hibernating", "At Risk", "At Risk", "At Risk"],
    1: ["Lost", "Hibernating", "At Risk", "Can't Lose Them", "Can't Lose Them"],
}


def small_book(book: Book) -> None:
    """Rep u1 owns A (3 orders, two on one day) and B; rep u2 owns C."""
    book.user("u1")
    book.user("u2")
    book.account("A", "u1", name="Acme")
    book.account("B", "u1", name="Beta")
    book.account("C", "u2", name="Gamma")
    book.account("D", "u1", name="Delta (no orders)")
    book.order("A", "2024-01-10", 100.00, "OA1")
    book.order("A", "2024-01-10", 50.00, "OA2")
    book.order("A", "2024-03-01", 30.00, "OA3")
    book.order("A", "2024-07-01", 999.00, "OA4")  # after as_of: does not exist yet
    book.order("B", "2024-06-20", 10.00, "OB1")
    book.order("C", "2023-12-31", 500.00, "OC1")
    book.commit()


def grid_book(book: Book) -> None:
    """25 accounts, one per (R, FM) cell: each score level held by exactly 5 accounts.

    Account R{r}FM{fm}: last order (6 - r) * 10 days before as_of, fm orders on distinct
    days of 100.00 each, so recency, frequency and monetary rank exactly as r, fm, fm.
    """
    book.user("u1")
    for r in range(1, 6):
        for fm in range(1, 6):
            account = book.account(f"R{r}FM{fm}", "u1")
            last = AS_OF - dt.timedelta(days=(6 - r) * 10)
            for k in range(fm):
                book.order(account, last - dt.timedelta(days=k), 100.0)
    book.commit()


def test_figures_merge_same_day_orders_and_ignore_orders_after_as_of(engine: Engine) -> None:
    with book_on(engine) as book:
        small_book(book)
        table = rfm_table(ctx_for(book.session))
        a = table.loc["A"]
        assert a["recency_days"] == 121  # 2024-03-01 -> 2024-06-30
        assert (a["frequency"], a["order_count"]) == (2, 3)
        assert (a["monetary_total"], a["monetary_avg"]) == (180.0, 90.0)
        assert (a["first_order_date"], a["last_order_date"]) == (
            dt.date(2024, 1, 10),
            dt.date(2024, 3, 1),
        )
        assert sorted(table.index) == ["A", "B", "C"]


def test_a_window_keeps_only_orders_of_its_last_days(engine: Engine) -> None:
    with book_on(engine) as book:
        small_book(book)
        table = rfm_table(ctx_for(book.session), window_days=150)  # orders after 2024-02-01
        assert table.loc["A", "frequency"] == 1
        assert table.loc["A", "monetary_total"] == 30.0
        assert "C" not in table.index


def test_every_segment_is_reached_by_its_grid_cell(engine: Engine) -> None:
    with book_on(engine) as book:
        grid_book(book)
        table = rfm_table(ctx_for(book.session))
        for r, row in GRID.items():
            for fm, segment in enumerate(row, start=1):
                cell = table.loc[f"R{r}FM{fm}"]
                assert (cell["r_score"], cell["f_score"], cell["m_score"]) == (r, fm, fm)
                assert cell["segment"] == segment
        assert set(table["segment"]) == set(SEGMENTS)


def test_a_rep_scores_against_their_own_book_only(session: object) -> None:
    book = Book(session)  # type: ignore[arg-type]
    small_book(book)
    table = rfm_table(ctx_for(book.session, "u1"))
    assert sorted(table.index) == ["A", "B"]
    # Among two accounts p = 0 for A (121 days) and 1/2 for B (10 days): 1 and 1 + floor(2.5).
    assert (table.loc["B", "r_score"], table.loc["A", "r_score"]) == (3, 1)


def test_account_rfm_explains_the_score_and_cites_the_orders(session: object) -> None:
    book = Book(session)  # type: ignore[arg-type]
    small_book(book)
    score = account_rfm(ctx_for(book.session, "u1"), account_id="A")
    assert score.account_name == "Acme"
    assert score.order_ids == ["OA3", "OA2", "OA1"]
    assert score.order_ids_total == 3
    assert score.rfm_code == f"{score.r_score}{score.f_score}{score.m_score}"
    assert score.population_size == 2
    assert score.share_less_recent == 0.0
    assert score.share_lower_spend == 0.5
    assert score.segment_meaning


def test_a_rep_asking_about_another_reps_account_gets_not_found(session: object) -> None:
    book = Book(session)  # type: ignore[arg-type]
    small_book(book)
    with pytest.raises(NotFound, match="not found or not yours"):
        account_rfm(ctx_for(book.session, "u1"), account_id="C")


def test_an_account_without_orders_has_insufficient_history(session: object) -> None:
    book = Book(session)  # type: ignore[arg-type]
    small_book(book)
    with pytest.raises(InsufficientHistory):
        account_rfm(ctx_for(book.session, "u1"), account_id="D")


def test_new_orders_invalidate_the_cached_table(session: object) -> None:
    book = Book(session)  # type: ignore[arg-type]
    small_book(book)
    ctx = ctx_for(book.session)
    assert rfm_table(ctx).loc["C", "frequency"] == 1
    book.order("C", "2024-06-29", 1.0, "OZ1")  # the latest order by as_of
    assert rfm_table(ctx).loc["C", "frequency"] == 2


def test_back_dated_orders_are_seen_when_the_count_is_rechecked(
    session: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = Book(session)  # type: ignore[arg-type]
    small_book(book)
    ctx = ctx_for(book.session)
    assert rfm_table(ctx).loc["C", "frequency"] == 1
    book.order("C", "2023-01-01", 1.0, "O0")  # lower id and earlier date than the others
    monkeypatch.setattr(rfm, "REVALIDATE_SECONDS", 0.0)
    assert rfm_table(ctx).loc["C", "frequency"] == 2


def test_segment_accounts_are_sorted_best_first_and_limited(session: object) -> None:
    book = Book(session)  # type: ignore[arg-type]
    grid_book(book)
    ctx = ctx_for(book.session)
    champions = rfm_segment_accounts(ctx, segment="Champions", limit=3)
    assert champions.total_accounts == 4
    assert [a.account_id for a in champions.accounts] == ["R4FM5", "R5FM5", "R4FM4"]
    recent = rfm_segment_accounts(ctx, segment="Champions", sort_by="recency_days", limit=1)
    assert recent.accounts[0].account_id == "R5FM4"
    risk = rfm_segment_accounts(ctx, segment="churn_risk", limit=100)
    assert risk.total_accounts == 10  # R in {1, 2}
    with pytest.raises(InvalidArgument):
        rfm_segment_accounts(ctx, segment="Lost", limit=0)


def test_segment_distribution_counts_every_segment_and_shares_sum_to_one(session: object) -> None:
    book = Book(session)  # type: ignore[arg-type]
    grid_book(book)
    dist = rfm_segment_distribution(ctx_for(book.session))
    by_name = {s.segment: s for s in dist.segments}
    assert [s.segment for s in dist.segments] == list(SEGMENTS)
    assert by_name["Champions"].accounts == 4
    # Champions: fm 4, 4, 5, 5 orders of 100.00 = 1800 of 25 * 300 = 7500 in total.
    assert by_name["Champions"].revenue == 1800.0
    assert by_name["Champions"].revenue_share == pytest.approx(1800 / 7500)
    assert sum(s.share for s in dist.segments) == pytest.approx(1.0)
    assert sum(t.accounts for t in dist.tiers) == 25


def test_segment_moves_compare_both_dates_and_list_the_movers(session: object) -> None:
    book = Book(session)  # type: ignore[arg-type]
    book.user("u1")
    for i, days_ago in enumerate([5, 10, 20, 30, 40]):
        book.account(f"K{i}", "u1")
        book.order(f"K{i}", AS_OF - dt.timedelta(days=100 + days_ago), 100.0 * (i + 1))
    # K4 was the oldest buyer 100 days ago; it buys twice since, becoming the most recent.
    book.order("K4", AS_OF - dt.timedelta(days=2), 1000.0)
    book.order("K4", AS_OF - dt.timedelta(days=1), 1000.0)
    book.commit()
    since = AS_OF - dt.timedelta(days=100)
    moves = rfm_segment_moves(ctx_for(book.session), since=since)
    # At `since`: R 5..1 for K0..K4, F = 3 for all (no variation), M 1..5, FM = (4 + M) // 2.
    # Now: R 4,3,2,1 for K0..K3 and 5 for K4; F 1 (tied 80 %) and 2 for K4; M 1..4, 5.
    # K3 stays At Risk (R2 FM4 -> R1 FM3); the movers come highest revenue first.
    assert [(m.account_id, m.from_segment, m.to_segment) for m in moves.moves] == [
        ("K4", "Can't Lose Them", "Champions"),
        ("K2", "Need Attention", "Hibernating"),
        ("K1", "Loyal Customers", "About to Sleep"),
        ("K0", "Potential Loyalists", "Promising"),
    ]
    assert moves.moves[0].revenue == 2500.0
    assert (moves.compared_accounts, moves.new_accounts, moves.moved_total) == (5, 0, 4)
    with pytest.raises(InvalidArgument):
        rfm_segment_moves(ctx_for(book.session), since=AS_OF)
