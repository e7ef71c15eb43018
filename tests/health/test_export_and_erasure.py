"""Export and erasure as PIPL asks (Art. 45–47): a person downloads everything ParkWell
holds about them (account, health, family, family physician, bookings, budget, park
events) as JSON and as a readable page; they delete their account, which deletes what is
theirs and keeps, with no name on it, what the park must keep; a refused deletion writes
nothing; an attended booking no longer blocks deleting health data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from benefits.models import LedgerEntry, RosterEntry
from booking import services as booking_services
from booking.models import Booking, BookingStatus, CalendarFeed
from care import agreements, plans
from care.models import CareAgreement, CareMessage, CarePlan, HomeMeasurement
from core.accounts.models import ApiToken, User
from core.accounts.personal_data import DELETED_NAME, deleted_login
from core.audit.models import AuditEvent
from core.db import db
from health import services, sharing
from health.errors import StillReferenced
from health.models import CheckUp, Consent, Dependant, HealthProfile
from park.models import Registration
from tests.benefits.factories import funded_employee
from tests.booking.factories import BookingKit
from tests.care.factories import CareKit
from tests.pages import main_of
from tests.park.factories import ParkKit

EN = {"Accept-Language": "en"}
PASSWORD = "correct horse battery"


class Life:
    """One employee's life in the park: a health record with a child, a booking for the
    child, a family-physician agreement, a budget, and a park event."""

    def __init__(self, make) -> None:
        self.kit = BookingKit(make)
        self.care = CareKit(make)
        now = self.now = self.kit.now
        self.person, _plan = funded_employee(make, self.kit, budget_minor=50_000)
        services.record_checkup(self.person, measured_on=now.date() - timedelta(days=5),
                                source="Lab", readings={"weight": (70, "kg")}, now=now)
        self.child = services.add_dependant(self.person, name="小明",
                                            birth_date=date(2018, 5, 1), relation="child",
                                            needs=[], now=now)
        services.save_checkup(self.person, now.date(), "Lab", {"weight": 25.0}, now,
                              dependant=self.child)
        db.session.commit()
        service = self.kit.service(title_en="Child massage", allows_dependants=True)
        self.booking = booking_services.hold_slot(
            service, practitioner_id=self.kit.practitioner.id, starts_at=self.kit.slot(),
            actor=self.person, now=now, dependant_id=self.child.id)
        if self.booking.status is BookingStatus.HELD:
            booking_services.confirm_booking(self.booking, actor=self.person, now=now)
        db.session.add(CalendarFeed(user_id=self.person.id, token_hash="x" * 64,
                                    created_at=now))
        db.session.commit()
        self.agreement = self.care.sign(self.person)
        plans.log_measurement(self.agreement, actor=self.person, kind="weight",
                              values={"value": 70}, now=now)
        plans.post_message(self.agreement, actor=self.person, body="孩子睡得不好", now=now)
        db.session.commit()
        park = ParkKit(make, park=self.kit.park)
        self.registration = park.register(park.session(), user=self.person)

    def after_the_booking(self):
        """The booking attended, the agreement ended, the park event over: nothing still
        under way at the moment returned."""
        later = max(self.booking.ends_at, self.registration.session.ends_at) + timedelta(hours=1)
        booking_services.mark_attendance(self.booking, actor=self.kit.owner, attended=True,
                                         now=self.booking.starts_at + timedelta(minutes=5))
        agreements.end_agreement(self.agreement, actor=self.person, now=self.now)
        db.session.commit()
        return later


@pytest.fixture
def life(make) -> Life:
    return Life(make)


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _count(model, **where) -> int:
    statement = select(func.count()).select_from(model)
    for name, value in where.items():
        statement = statement.where(getattr(model, name) == value)
    return db.session.scalar(statement)


def _digest() -> dict:
    """Row counts of everything a deletion touches, and the account's fields."""
    db.session.expire_all()
    counts = {m.__name__: _count(m) for m in (
        HealthProfile, CheckUp, Dependant, Consent, CareMessage,
        HomeMeasurement, CarePlan, CareAgreement, Booking, Registration, LedgerEntry,
        ApiToken, CalendarFeed)}
    users = {u.id: (u.display_name, u.email, u.is_active, u.session_version)
             for u in db.session.scalars(select(User))}
    dependants = sorted((b.id, b.dependant_id) for b in db.session.scalars(select(Booking)))
    return {"counts": counts, "users": users, "booking_dependants": dependants}


def test_the_export_holds_everything_as_json_and_as_a_page_that_prints(client, make, life):
    _sign_in(client, life.person)
    data = client.get("/account/export.json", headers=EN).json
    assert data["account"]["email"] == life.person.email
    assert data["health"]["checkups"][0]["readings"] == {"weight": 70}
    assert data["health"]["dependants"][0]["name"] == "小明"
    assert data["health"]["dependant_checkups"][0]["readings"] == {"weight": 25.0}
    [care] = data["family_physician"]
    assert care["messages"][0]["body"] == "孩子睡得不好"
    assert care["measurements"][0]["value"] == 70
    assert data["bookings"]["bookings"][0]["service"] == "Child massage"
    assert data["bookings"]["bookings"][0]["for_family_member_id"] == life.child.id
    assert data["park_events"]["registrations"][0]["event"] == "TCM week"
    assert any(line["kind"] == "allocation" for line in data["budget"]["ledger_lines"])

    page = client.get("/account/export", headers=EN)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for words in ("Everything we hold about you", "Health", "Family physician", "Bookings",
                  "Park events", "Budget", "孩子睡得不好", "Child massage", "Save as PDF"):
        assert words in page.text, words
    assert "<script" not in main_of(page.text)
    chinese = client.get("/account/export", headers={"Accept-Language": "zh-CN"})
    assert "我们保存的关于您的全部信息" in chinese.text

    api = client.get("/api/v1/me/export",
                     headers={"Authorization": f"Bearer {make.token(life.person)}"})
    assert api.status_code == 200
    assert set(api.json) >= {"account", "health", "family_physician", "bookings",
                             "park_events", "budget", "checkup_campaigns", "reviews"}


def test_a_refused_deletion_writes_nothing_and_says_what_to_finish_first(client, make, life):
    _sign_in(client, life.person)
    page = client.get("/account/delete", headers=EN)
    assert "1 booking still to come" in page.text
    assert "family physician agreement that has not ended" in page.text
    before = _digest()
    refused = client.post("/account/delete", headers=EN,
                          data={"confirm": "y", "password": PASSWORD})
    assert refused.status_code == 409 and "nothing has been deleted" in refused.text
    assert _digest() == before
    wrong = client.post("/account/delete", headers=EN, data={"confirm": "y", "password": "no"})
    assert wrong.status_code == 401 and _digest() == before
    unticked = client.post("/account/delete", headers=EN, data={"password": PASSWORD})
    assert unticked.status_code == 422 and _digest() == before

    token = {"Authorization": f"Bearer {make.token(life.person)}", **EN}
    before = _digest()
    api = client.delete("/api/v1/me", json={"confirm": True, "password": PASSWORD},
                        headers=token)
    assert api.status_code == 409
    assert api.json["error"]["code"] == "account_deletion_blocked"
    assert "booking" in api.json["error"]["fields"]["blockers"]
    assert _digest() == before


def test_deleting_the_account_keeps_the_parks_history_without_the_person(
        client, make, life, monkeypatch):
    later = life.after_the_booking()
    monkeypatch.setattr("core.accounts.api.utcnow", lambda: later)
    person_id, child_id = life.person.id, life.child.id
    _sign_in(client, life.person)  # a browser session that must end too
    token = {"Authorization": f"Bearer {make.token(life.person)}", **EN}
    ledger_lines = _count(LedgerEntry)

    deleted = client.delete("/api/v1/me", json={"confirm": True, "password": PASSWORD},
                            headers=token)
    assert deleted.status_code == 204, deleted.json
    db.session.expire_all()
    person = db.session.get(User, person_id)
    assert (person.display_name, person.email, person.mobile, person.is_active) == (
        DELETED_NAME, deleted_login(person_id), None, False)
    for model in (HealthProfile, CheckUp, Dependant, Consent):
        assert _count(model, user_id=person_id) == 0, model.__name__
    assert (_count(CareMessage), _count(HomeMeasurement), _count(CarePlan)) == (0, 0, 0)
    assert _count(ApiToken, user_id=person_id) == 0
    assert _count(CalendarFeed, user_id=person_id) == 0
    assert _count(RosterEntry, user_id=person_id) == 0
    # kept, anonymous: the attended booking, the agreement, the registration, the ledger
    booking = db.session.get(Booking, life.booking.id)
    assert booking.status is BookingStatus.ATTENDED and booking.dependant_id is None
    assert booking.client_id == person_id
    assert _count(CareAgreement, user_id=person_id) == 1
    assert _count(Registration, user_id=person_id) == 1
    assert _count(LedgerEntry) == ledger_lines
    assert child_id not in set(db.session.scalars(select(Dependant.id)))
    [audited] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "account.deleted"))
    assert audited.subject_user_id == person_id and audited.details["sections"]
    # every way in is closed
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert client.get("/account", headers=EN).status_code == 302
    login = client.post("/login", data={"login": person.email, "password": PASSWORD})
    assert login.status_code != 302


def test_an_attended_booking_no_longer_blocks_deleting_health_data(client, life):
    # while the child's booking is still to come, the deletion is refused and writes nothing
    _sign_in(client, life.person)
    before = _digest()
    refused = client.post("/me/health/delete", data={"confirm": "y"}, headers=EN)
    assert refused.status_code == 302
    assert "cannot be deleted" in client.get("/me/health/sharing", headers=EN).text
    assert _digest() == before  # care measurements and messages too

    with pytest.raises(StillReferenced):
        sharing.delete_profile(life.person, now=life.now)
    later = life.after_the_booking()
    sharing.delete_profile(life.person, now=later)
    db.session.commit()
    assert _count(Dependant, user_id=life.person.id) == 0
    booking = db.session.get(Booking, life.booking.id)
    assert booking.status is BookingStatus.ATTENDED and booking.dependant_id is None



def test_a_family_member_is_removed_once_their_booking_is_over_and_not_before(client, life):
    life.agreement.dependant_ids = [life.child.id]
    db.session.commit()
    _sign_in(client, life.person)
    before = _digest()
    refused = client.post(f"/me/health/dependants/{life.child.id}/delete", headers=EN)
    assert refused.status_code == 302
    assert _digest() == before
    db.session.expire_all()
    assert life.agreement.dependant_ids == [life.child.id]  # the care handler's work undone

    life.after_the_booking()
    services.delete_dependant(life.person, dependant_id=life.child.id)
    db.session.commit()
    assert db.session.get(Booking, life.booking.id).dependant_id is None
    db.session.expire_all()
    assert life.agreement.dependant_ids == []
