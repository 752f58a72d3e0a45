from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Account
from tests.tools.builders_accounts import Book, book_on, ctx_for
from tools import account_duplicates
from tools.account_duplicates import duplicate_accounts, name_pairs
from tools.account_tree import customer_tree
from tools.errors import NotFound


def group_book(book: Book) -> None:
    """P (u1) -> S1 (u1), S2 (u1), S3 (u2) -> S4 (u1); everyone but S2 has ordered."""
    book.user("u1")
    book.user("u2")
    book.account("P", "u1", name="Acme Holding")
    book.account("S1", "u1", name="Acme Berlin", parent="P")
    book.account("S2", "u1", name="Acme Paris", parent="P")
    book.account("S3", "u2", name="Acme Secret", parent="P")
    book.account("S4", "u1", name="Acme Lyon", parent="S3")
    book.account("Z", "u1", name="Unrelated")
    book.order("P", "2023-01-01", 1000.0)  # older than 12 months
    book.order("S1", "2024-05-01", 200.0)
    book.order("S3", "2024-05-02", 300.0)
    book.order("S4", "2024-06-01", 50.0)
    book.order("S4", "2024-07-01", 999.0)  # after as_of
    book.order("Z", "2024-06-01", 5.0)
    book.commit()


def test_an_admin_sees_the_whole_group_with_revenue_per_branch(engine: Engine) -> None:
    with book_on(engine) as book:
        group_book(book)
        tree = customer_tree(ctx_for(book.session), account_id="S4")
    assert [(n.account_id, n.depth) for n in tree.nodes] == [
        ("P", 0),
        ("S1", 1),
        ("S2", 1),
        ("S3", 1),
        ("S4", 2),
    ]
    assert (tree.root_account_id, tree.visible_accounts, tree.hidden_accounts) == ("P", 5, 0)
    assert (tree.customers, tree.coverage_ratio) == (4, 0.8)
    assert (tree.subsidiaries, tree.customer_subsidiaries) == (4, 3)
    assert tree.summary.startswith("We sell to 3 of Acme Holding's 4 subsidiaries")
    branch = {n.account_id: n.branch_revenue_total for n in tree.nodes}
    assert branch == {"P": 1550.0, "S1": 200.0, "S2": 0.0, "S3": 350.0, "S4": 50.0}
    assert (tree.group_revenue_total, tree.group_revenue_last_12_months) == (1550.0, 550.0)


def test_a_rep_sees_only_their_accounts_and_a_count_of_the_others(session: Session) -> None:
    group_book(Book(session))
    tree = customer_tree(ctx_for(session, "u1"), account_id="S1")
    assert [n.account_id for n in tree.nodes] == ["P", "S1", "S2", "S4"]
    assert tree.hidden_accounts == 1
    assert {n.account_id: n.parent_id for n in tree.nodes}["S4"] is None  # parent hidden
    assert (tree.customers, tree.subsidiaries, tree.customer_subsidiaries) == (3, 3, 2)
    assert {n.account_id: n.branch_revenue_total for n in tree.nodes}["P"] == 1250.0
    dumped = tree.model_dump_json()
    assert "S3" not in dumped and "Secret" not in dumped and "300" not in dumped


def test_a_rep_cannot_open_the_tree_of_another_reps_account(session: Session) -> None:
    group_book(Book(session))
    with pytest.raises(NotFound):
        customer_tree(ctx_for(session, "u2"), account_id="S1")


def test_a_cyclic_parent_link_does_not_loop_forever(session: Session) -> None:
    book = Book(session)
    book.user("u1")
    book.account("X", "u1")
    book.account("Y", "u1", parent="X")
    x = session.get(Account, "X")
    assert x is not None
    x.parent_id = "Y"
    book.commit()
    tree = customer_tree(ctx_for(session), account_id="Y")
    assert sorted(n.account_id for n in tree.nodes) == ["X", "Y"]


def duplicate_book(book: Book) -> None:
    book.user("u1")
    book.user("u2")
    for id_, name, parent in [
        ("D01", "Acme Inc", None),
        ("D02", "ACME GmbH", None),
        ("D03", "Globex Corporation", None),
        ("D04", "Globex Corp.", None),
        ("D05", "Initech", None),
        ("D08", "Soylent", None),
        ("D09", "Green Foods", None),
        ("D10", "Hooli", None),
        ("D11", "Pied Piper", None),
        ("D12", "Alpha Bakery", None),
        ("D13", "Omega Brewing", None),
        ("D14", "Vandelay Industries", None),
        ("D15", "Vandelay Industries", "D14"),
    ]:
        book.account(id_, "u1", name=name, parent=parent)
    book.contact("C08", "D08", email="ann@soylent.com")
    book.contact("C09", "D09", email="bob@Soylent.com")
    book.contact("C10", "D10", phone="+49 30 1234 5678")
    book.contact("C11", "D11", phone="030 12345678")
    book.contact("C12", "D12", email="x@gmail.com")
    book.contact("C13", "D13", email="y@gmail.com")
    book.commit()


def test_duplicates_come_from_names_domains_and_phones_but_not_parent_links(
    engine: Engine,
) -> None:
    with book_on(engine) as book:
        duplicate_book(book)
        found = duplicate_accounts(ctx_for(book.session, "u1"))
    assert [(p.account_id_a, p.account_id_b, p.score) for p in found.pairs] == [
        ("D01", "D02", 100.0),
        ("D03", "D04", 100.0),
        ("D10", "D11", 95.0),
        ("D08", "D09", 90.0),
    ]
    assert found.accounts_checked == 13
    assert "soylent.com" in found.pairs[3].reasons[1]
    assert found.pairs[2].reasons[1].endswith("5678")


def test_a_rep_finds_no_duplicates_among_accounts_they_cannot_see(session: Session) -> None:
    duplicate_book(Book(session))
    found = duplicate_accounts(ctx_for(session, "u2"))
    assert (found.accounts_checked, found.total_pairs) == (0, 0)


def test_oversized_blocks_are_split_then_compared_on_exact_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pandas as pd

    monkeypatch.setattr(account_duplicates, "BLOCK_MAX", 2)
    accounts = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "g"],
            "norm": [
                "acme robotics",  # "acme" block has 6 > 2 members: split by two tokens
                "acme robotic",  # alone in its two-token block: not compared
                "acme robotics",
                "acme tools",  # "acme tools" block has 3 > 2 members: exact names only
                "acme tools",
                "acme tools de",
            ],
        }
    )
    assert name_pairs(accounts, 85) == {("a", "c"): 100.0, ("d", "e"): 100.0}
