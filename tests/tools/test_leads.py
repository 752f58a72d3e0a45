"""Lead scoring: ideal-customer fit, decaying engagement, the conversion model and scope."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Account, Lead, Order
from tests.tools.builders_accounts import AS_OF, Book, at, ctx_for
from tools.errors import InvalidArgument, NotFound
from tools.leads import ScoredLead, lead_score, score_leads

# Customers: 4 Software / 120 employees / DE accounts with orders; 4 Retail / 10 / FR without.
# Per feature, won shares (4+1)/(4+3) vs all (4+1)/(8+3): LR 11/7; the other value 11/35.


def _accounts(session: Session) -> None:
    for i in range(8):
        customer = i < 4
        session.add(
            Account(
                id=f"C{i}",
                name=f"C{i}",
                industry="Software" if customer else "Retail",
                employees=120 if customer else 10,
                country="DE" if customer else "FR",
                owner_id="rep1" if i == 0 else "rep2",
                created_at=at("2020-01-01"),
            )
        )
        if customer:
            session.add(Order(id=f"O{i}", account_id=f"C{i}", order_date=AS_OF, amount_cents=100))


def lead(id_: str, days_old: int = 0, **fields: object) -> Lead:
    values: dict[str, object] = {"name": id_, "status": "new"} | fields
    return Lead(id=id_, created_at=at(AS_OF - dt.timedelta(days=days_old)), **values)  # type: ignore[arg-type]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        book = Book(s)
        for user in ("rep1", "rep2"):
            book.user(user)
        book.user("admin", role="admin")
        _accounts(s)
        s.commit()
        yield s


def scores(session: Session, user: str = "admin", **kwargs: object) -> dict[str, ScoredLead]:
    ranking = score_leads(ctx_for(session, user), **kwargs)  # type: ignore[arg-type]
    return {lead.lead_id: lead for lead in ranking.leads}


def test_fit_rewards_the_profile_of_won_customers(session: Session) -> None:
    session.add_all(
        [
            lead("L-ICP", industry="Software", employees=120, country="DE"),
            lead("L-OFF", industry="Retail", employees=10, country="FR"),
            lead("L-NEW", industry="Mining"),
        ]
    )
    session.commit()
    ranked = score_leads(ctx_for(session, "admin")).leads
    fit = {x.lead_id: x.fit_score for x in ranked}
    icp, off = (11 / 7) ** 3, (11 / 35) ** 3
    assert fit["L-ICP"] == pytest.approx(100 * icp / (1 + icp), abs=0.05)  # 79.5
    assert fit["L-OFF"] == pytest.approx(100 * off / (1 + off), abs=0.05)  # 3.0
    assert fit["L-NEW"] == 50.0  # unseen industry, unknown size and country: no evidence
    assert [x.lead_id for x in ranked] == ["L-ICP", "L-NEW", "L-OFF"]
    assert ranked[0].reasons[0].startswith("industry Software: 1.6× as common among customers")


def test_behaviour_points_halve_every_thirty_days(session: Session) -> None:
    # 5 email opens = 10 points; behaviour = 100 (1 − exp(−decayed / 50)).
    session.add_all([lead(f"L{d}", days_old=d, email_opens=5) for d in (0, 30, 60)])
    session.add(lead("L-MIX", page_views=2, form_submissions=1, events_attended=1))
    session.commit()
    result = scores(session)
    for days, decayed in [(0, 10.0), (30, 5.0), (60, 2.5)]:
        expected = 100 * (1 - math.exp(-decayed / 50))
        assert result[f"L{days}"].behaviour_score == pytest.approx(expected, abs=0.05)
    assert result["L-MIX"].engagement_points == 2 * 1 + 10 + 15


def test_few_labelled_leads_fall_back_to_the_smoothed_base_rate(session: Session) -> None:
    session.add_all(
        [
            lead("P1", days_old=90, status="converted"),
            lead("P2", days_old=90, status="disqualified"),
            lead("P3", days_old=90, status="disqualified"),
            lead("P4", days_old=5, status="converted"),  # too recent to be a label
            lead("N1", email_opens=5),
        ]
    )
    session.commit()
    ranking = score_leads(ctx_for(session, "admin"))
    assert ranking.model.method == "base_rate"
    assert (ranking.model.labelled_leads, ranking.model.converted_leads) == (3, 1)
    assert ranking.leads[0].conversion_probability == pytest.approx(2 / 5)
    n1 = ranking.leads[0]
    assert n1.combined_score == pytest.approx(0.5 * n1.fit_score + 0.5 * n1.behaviour_score, 0.01)
    assert "base rate used" in n1.reasons[-1]


def test_the_model_learns_that_event_attendance_converts(session: Session) -> None:
    past = [
        lead(f"C{i}", days_old=60 + i, status="converted", events_attended=2) for i in range(25)
    ]
    past += [
        lead(f"D{i}", days_old=60 + i, status="disqualified", page_views=i % 3) for i in range(35)
    ]
    session.add_all([*past, lead("HOT", events_attended=2), lead("COLD", page_views=1)])
    session.commit()
    ranking = score_leads(ctx_for(session, "admin"))
    assert ranking.model.method == "logistic_regression"
    assert ranking.model.labelled_leads == 60
    by_id = {x.lead_id: x for x in ranking.leads}
    assert by_id["HOT"].conversion_probability > 0.7 > 0.3 > by_id["COLD"].conversion_probability
    assert [x.lead_id for x in ranking.leads] == ["HOT", "COLD"]
    assert "2 events attended raises the odds" in by_id["HOT"].reasons


def test_a_converted_leads_account_is_shown_only_to_who_may_see_it(session: Session) -> None:
    session.add(lead("CONV", days_old=40, status="converted", converted_account_id="C0"))
    session.commit()
    assert lead_score(ctx_for(session, "rep1"), lead_id="CONV").converted_account_id == "C0"
    hidden = lead_score(ctx_for(session, "rep2"), lead_id="CONV")
    assert hidden.converted_account_id is None and hidden.status == "converted"


def test_every_user_sees_the_shared_lead_pool(session: Session) -> None:
    session.add_all([lead("A"), lead("B", email_opens=3)])
    session.commit()
    assert set(scores(session, "rep2")) == set(scores(session, "admin")) == {"A", "B"}


def test_leads_created_after_as_of_do_not_exist(session: Session) -> None:
    session.add_all([lead("NOW"), lead("LATER", days_old=-2)])
    session.commit()
    assert set(scores(session)) == {"NOW"}
    with pytest.raises(NotFound, match="not found or not yours"):
        lead_score(ctx_for(session, "admin"), lead_id="LATER")


def test_status_filter_and_limit(session: Session) -> None:
    session.add_all([lead("O1"), lead("O2", status="qualified"), lead("Q", status="disqualified")])
    session.commit()
    assert set(scores(session)) == {"O1", "O2"}
    assert set(scores(session, status="disqualified")) == {"Q"}
    assert score_leads(ctx_for(session, "admin"), limit=1).total_leads == 2
    with pytest.raises(InvalidArgument):
        score_leads(ctx_for(session, "admin"), limit=0)


def test_lead_score_ranks_a_lead_among_the_open_ones(session: Session) -> None:
    session.add_all([lead("WEAK"), lead("STRONG", events_attended=3)])
    session.commit()
    result = lead_score(ctx_for(session, "admin"), lead_id="WEAK")
    assert (result.rank, result.out_of, result.as_of) == (2, 2, AS_OF)
