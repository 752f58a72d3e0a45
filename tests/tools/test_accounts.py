from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Activity, Opportunity, Survey, Ticket
from tests.tools.builders_accounts import AS_OF, Book, at, book_on, ctx_for
from tools.account_360 import account_360, year_before
from tools.accounts import find_account, normalise_name, resolve_account
from tools.errors import Ambiguous, NotFound


def named_book(book: Book) -> None:
    book.user("u1")
    book.user("u2")
    book.account("A1", "u1", name="Acme Inc.")
    book.account("A2", "u1", name="ACME GmbH")
    book.account("G1", "u1", name="Globex Corporation")
    book.account("I1", "u1", name="Initech Ltd")
    book.account("X1", "u2", name="Gamma AG")
    book.commit()


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Acme Inc.", "acme"),
        ("ACME GmbH", "acme"),
        ("The Müller GmbH & Co. KG", "muller"),
        ("Globex Corp", "globex"),
        ("Co", "co"),
    ],
)
def test_normalisation_drops_case_accents_punctuation_and_legal_suffixes(
    raw: str, normal: str
) -> None:
    assert normalise_name(raw) == normal


def test_an_exact_id_resolves_directly(session: Session) -> None:
    named_book(Book(session))
    assert resolve_account(ctx_for(session, "u1"), "G1").name == "Globex Corporation"


def test_case_suffixes_and_typos_still_resolve(session: Session) -> None:
    named_book(Book(session))
    ctx = ctx_for(session, "u1")
    assert resolve_account(ctx, "globex corp").id == "G1"
    assert resolve_account(ctx, "Globx").id == "G1"
    assert resolve_account(ctx, "INITECH").id == "I1"


def test_equally_good_names_are_ambiguous_and_list_the_candidates(session: Session) -> None:
    named_book(Book(session))
    with pytest.raises(Ambiguous) as info:
        resolve_account(ctx_for(session, "u1"), "acme")
    assert info.value.candidates == [("A1", "Acme Inc."), ("A2", "ACME GmbH")]


def test_another_reps_account_is_not_found_by_name_or_id(session: Session) -> None:
    named_book(Book(session))
    ctx = ctx_for(session, "u1")
    with pytest.raises(NotFound):
        resolve_account(ctx, "Gamma")
    with pytest.raises(NotFound):
        resolve_account(ctx, "X1")
    assert find_account(ctx, query="Gamma AG").candidates == []


def test_find_account_ranks_candidates_and_resolves_a_clear_winner(session: Session) -> None:
    named_book(Book(session))
    ctx = ctx_for(session, "u1")
    acme = find_account(ctx, query="Acme")
    assert [c.account_id for c in acme.candidates] == ["A1", "A2"]
    assert acme.resolved_account_id is None
    globex = find_account(ctx, query="Globex")
    assert globex.resolved_account_id == "G1"
    assert globex.candidates[0].score == 100.0


def test_a_year_before_a_leap_day_is_the_28th_of_february() -> None:
    assert year_before(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert year_before(AS_OF) == dt.date(2023, 6, 30)


def full_book(book: Book) -> None:
    named_book(book)
    book.account("S1", "u1", name="Acme Services", parent="A1")
    book.contact("C1", "A1", title="CTO")
    book.contact("C2", "A1", title="Buyer")
    book.order("A1", "2023-01-15", 1000.0, "O1")  # older than 12 months
    book.order("A1", "2024-02-01", 250.0, "O2")
    book.order("A1", "2024-06-30", 50.0, "O3")
    book.order("A1", "2024-07-01", 700.0, "O4")  # after as_of
    book.stages()
    for id_, stage, owner, amount in [
        ("P1", "Proposal", "u1", 5000),
        ("P2", "Closed Won", "u1", 1000),
        ("P3", "Proposal", "u2", 9000),  # another rep's deal on the account
    ]:
        book.add(
            Opportunity(
                id=id_,
                name=f"Deal {id_}",
                account_id="A1",
                owner_id=owner,
                stage=stage,
                amount_cents=amount * 100,
                created_at=at("2024-01-01"),
                close_date=dt.date(2024, 9, 30),
            )
        )
    for day in range(1, 8):  # seven activities, the 7th after as_of
        book.add(
            Activity(
                id=f"T{day}",
                kind="call",
                occurred_at=at(AS_OF + dt.timedelta(days=day - 6)),
                account_id="A1",
                subject=f"call {day}",
            )
        )
    book.add(
        Ticket(id="K1", account_id="A1", kind="question", opened_at=at("2024-03-01")),
        Ticket(id="K2", account_id="A1", kind="complaint", opened_at=at("2024-02-01"), csat=2),
        Ticket(id="K3", account_id="A1", kind="question", opened_at=at("2024-01-01"), csat=5),
        Ticket(id="K4", account_id="A1", kind="question", opened_at=at("2024-07-02"), csat=1),
        Survey(id="N1", account_id="A1", answered_at=at("2024-01-10"), nps=6),
        Survey(id="N2", account_id="A1", answered_at=at("2024-05-10"), nps=9),
        Survey(id="N3", account_id="A1", answered_at=at("2024-07-10"), nps=0),
    )
    for ticket_id, status in [("K2", "closed"), ("K3", "resolved")]:
        ticket = book.session.get(Ticket, ticket_id)
        assert ticket is not None
        ticket.status = status
    book.commit()


def test_account_360_gathers_every_part_up_to_as_of(engine: Engine) -> None:
    with book_on(engine) as book:
        full_book(book)
        view = account_360(ctx_for(book.session, "u1"), account_id="A1")
    assert (view.name, view.owner_name, view.industry) == ("Acme Inc.", "User u1", "Software")
    assert [(c.contact_id, c.title) for c in view.contacts] == [("C1", "CTO"), ("C2", "Buyer")]
    orders = view.orders
    assert (orders.order_count, orders.total, orders.last_12_months) == (3, 1300.0, 300.0)
    assert (orders.first_order_date, orders.last_order_date) == (
        dt.date(2023, 1, 15),
        dt.date(2024, 6, 30),
    )
    assert orders.order_ids == ["O3", "O2", "O1"]
    assert view.rfm is not None
    assert view.clv is not None  # formula CLV exists even when the models lack data
    assert [o.opportunity_id for o in view.open_opportunities] == ["P1"]
    assert view.open_pipeline == 5000.0
    assert [a.activity_id for a in view.last_activities] == ["T6", "T5", "T4", "T3", "T2"]
    service = view.service
    assert (service.open_tickets, service.average_csat, service.rated_tickets) == (1, 3.5, 2)
    assert (service.latest_nps, service.average_nps, service.nps_answers) == (9, 7.5, 2)


def test_account_360_shows_clv_as_missing_with_the_reason_for_a_non_customer(
    session: Session,
) -> None:
    full_book(Book(session))
    view = account_360(ctx_for(session, "u1"), account_id="G1")
    assert view.orders.order_count == 0
    assert view.rfm is None
    assert view.clv is None
    assert view.clv_missing_reason


def test_account_360_of_another_reps_account_is_not_found(session: Session) -> None:
    full_book(Book(session))
    with pytest.raises(NotFound, match="not found or not yours"):
        account_360(ctx_for(session, "u2"), account_id="A1")
