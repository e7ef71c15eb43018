"""Reviews by attendees only; the employee's home; the service page; the search API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from benefits import budgets
from booking import services as booking_services
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from health import services as health_services
from marketplace import ratings, reviews
from marketplace.errors import AlreadyReplied, ReviewNotAllowed
from tests.benefits.factories import programme, put_on_roster
from tests.booking.factories import BookingKit


@pytest.fixture
def visit(make):
    """An employee who attended a tuina session."""
    kit = BookingKit(make)
    kit.tuina = kit.service(title_zh="中医推拿理疗", title_en="TCM tuina therapy")
    kit.user = put_on_roster(kit.enterprise, kit.employee())
    booking = booking_services.hold_slot(kit.tuina, practitioner_id=kit.practitioner.id,
                                         starts_at=kit.slot(), actor=kit.user, now=utcnow())
    booking_services.mark_attendance(booking, actor=kit.owner, attended=True,
                                     now=booking.starts_at + timedelta(minutes=5))
    db.session.commit()
    kit.booking = booking
    return kit


def test_only_the_attendee_reviews_once_and_the_provider_replies_once(app, make, visit):
    stranger = make.user(Role.EMPLOYEE, enterprise=visit.enterprise)
    with pytest.raises(Exception):  # noqa: B017,PT011 - NotFound: not their booking
        reviews.write_review(visit.booking, actor=stranger, stars=5, text="", now=utcnow())
    review = reviews.write_review(visit.booking, actor=visit.user, stars=4,
                                  text="<script>alert(1)</script> 很舒服", now=utcnow())
    with pytest.raises(ReviewNotAllowed):
        reviews.write_review(visit.booking, actor=visit.user, stars=5, text="", now=utcnow())
    reviews.reply(review, actor=visit.owner, text="谢谢！", now=utcnow())
    with pytest.raises(AlreadyReplied):
        reviews.reply(review, actor=visit.staff, text="again", now=utcnow())
    db.session.commit()
    assert ratings.ratings([visit.tuina.id]) == {visit.tuina.id: (4.0, 1)}


def test_a_booking_not_attended_cannot_be_reviewed(app, visit):
    booking = booking_services.hold_slot(visit.tuina, practitioner_id=visit.practitioner.id,
                                         starts_at=visit.slot(days=5), actor=visit.user,
                                         now=utcnow())
    with pytest.raises(ReviewNotAllowed):
        reviews.write_review(booking, actor=visit.user, stars=5, text="", now=utcnow())


def test_a_hidden_review_disappears_everywhere(app, make, client, auth, visit):
    review = reviews.write_review(visit.booking, actor=visit.user, stars=1, text="差评内容",
                                  now=utcnow())
    db.session.commit()
    committee = make.user(Role.COMMITTEE_MEMBER, park=visit.park)
    auth.login(committee.email)
    page = client.get(f"/services/{visit.tuina.id}")
    assert "差评内容" in page.text
    client.post(f"/reviews/{review.id}/hide", data={"reason": "辱骂性内容"})
    assert "差评内容" not in client.get(f"/services/{visit.tuina.id}").text
    token = make.token(visit.user)
    listed = client.get(f"/api/v1/services/{visit.tuina.id}/reviews",
                        headers={"Authorization": f"Bearer {token}"}).get_json()
    assert listed == {"items": [], "average": None, "count": 0}
    assert ratings.ratings([visit.tuina.id]) == {}


def test_hiding_a_review_twice_takes_it_out_of_the_rating_once(app, make, visit):
    review = reviews.write_review(visit.booking, actor=visit.user, stars=2, text="",
                                  now=utcnow())
    committee = make.user(Role.COMMITTEE_MEMBER, park=visit.park)
    reviews.hide(review, actor=committee, reason="广告", now=utcnow())
    reviews.hide(review, actor=committee, reason="广告，重复", now=utcnow())
    db.session.commit()
    assert ratings.ratings([visit.tuina.id]) == {}
    assert ratings.check() == []


def test_a_kept_rating_that_drifted_is_caught_and_recounted(app, visit):
    from marketplace.models import ServiceRating

    reviews.write_review(visit.booking, actor=visit.user, stars=4, text="", now=utcnow())
    db.session.commit()
    db.session.get(ServiceRating, visit.tuina.id).stars_sum = 9
    db.session.commit()
    assert ratings.check() == [f"service {visit.tuina.id}: rating (1, 9) but reviews say (1, 4)"]
    assert ratings.rebuild() == 1
    db.session.commit()
    assert ratings.check() == []
    assert ratings.ratings([visit.tuina.id]) == {visit.tuina.id: (4.0, 1)}


def test_review_text_is_shown_escaped(app, client, auth, visit):
    reviews.write_review(visit.booking, actor=visit.user, stars=5,
                         text="<script>alert(1)</script>", now=utcnow())
    db.session.commit()
    auth.login(visit.user.email)
    page = client.get(f"/services/{visit.tuina.id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_attendee_reviews_through_the_page(app, client, auth, visit):
    auth.login(visit.user.email)
    assert client.get(f"/bookings/{visit.booking.id}/review").status_code == 200
    response = client.post(f"/bookings/{visit.booking.id}/review",
                           data={"stars": "5", "text": "推拿师傅手法很好"})
    assert response.status_code == 302
    assert "推拿师傅手法很好" in client.get(f"/services/{visit.tuina.id}").text


def test_service_page_says_what_the_budget_pays(app, make, client, auth):
    kit = BookingKit(make)
    service = kit.service(title_en="Acupuncture", price_minor=30_000)
    user = put_on_roster(kit.enterprise, kit.employee())
    plan = programme(make, kit.enterprise, amount_minor=20_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()
    auth.login(user.email)
    page = client.get(f"/services/{service.id}", headers={"Accept-Language": "en"})
    assert "Budget pays CN¥200.00, you pay CN¥100.00" in page.text
    assert "Free until 24 hours before" in page.text


def test_employee_home_shows_categories_bookings_and_budget(app, client, auth, visit):
    auth.login(visit.user.email)
    page = client.get("/")
    assert "中医" in page.text and "心理咨询" in page.text  # category doors
    assert "推荐给您" in page.text


def test_catalogue_page_and_api_agree(app, make, client, auth, visit):
    auth.login(visit.user.email)
    page = client.get("/catalogue?q=推拿")
    assert page.status_code == 200 and "中医推拿理疗" in page.text
    bad = client.get("/catalogue?date_from=2026-12-10&date_to=2026-12-01")
    assert bad.status_code == 422
    token = make.token(visit.user)
    body = client.get("/api/v1/catalog/search?q=tuina",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [item["title_en"] for item in body["items"]] == ["TCM tuina therapy"]
    refused = client.get("/api/v1/catalog/search?sort=random",
                         headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "invalid_search"


def test_a_raised_blood_pressure_brings_a_matching_service_home_with_its_reason(
        app, make, client, auth):
    kit = BookingKit(make)
    kit.service(title_zh="高血压中医调理", title_en="TCM care for high blood pressure",
                health_needs=["hypertension"])
    kit.service(title_zh="亲子游戏课", title_en="Parent and child play", health_needs=[])
    user = put_on_roster(kit.enterprise, kit.employee())
    health_services.record_checkup(user, measured_on=date(2026, 10, 12), source="Ruijin",
                                   readings={"systolic": (145, None), "diastolic": (95, None)},
                                   now=utcnow())
    db.session.commit()
    auth.login(user.email)
    page = client.get("/")
    assert "高血压中医调理" in page.text and "亲子游戏课" not in page.text
    assert "145/95" in page.text
    ordered = client.get("/catalogue?sort=recommended").text
    assert ordered.index("高血压中医调理") < ordered.index("亲子游戏课")
