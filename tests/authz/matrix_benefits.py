"""Benefits routes in the authorisation matrix: only the enterprise's own admins (and
platform admins) reach its roster and programmes; only platform admins record funding."""

from __future__ import annotations

from benefits.models import PaymentStatus, RosterEntry, TopUp
from booking import series as series_services
from booking import services as booking_services
from core.clock import utcnow
from core.db import db
from core.jobs.models import Job, JobStatus
from tests.authz.harness import RouteCase, World, everyone, signed_in
from tests.benefits.factories import programme
from tests.booking.factories import BookingKit

LOGIN = 302


def build_world(world: World, make) -> None:
    world.programme = programme(make, world.enterprise, funded_minor=0)
    entry = RosterEntry(enterprise=world.enterprise, employee_no="M1", name="矩阵",
                        email="matrix@example.com", department="d", grade="g",
                        created_at=utcnow())
    db.session.add(entry)
    db.session.commit()
    world.roster_entry = entry
    world.top_up = TopUp(programme_id=world.programme.id, amount_minor=10_000, currency="CNY",
                         stripe_payment_intent_id="pi_matrix_top_up",
                         status=PaymentStatus.PENDING,
                         created_by_id=world.users["enterprise_admin"].id, created_at=utcnow(),
                         updated_at=utcnow())
    db.session.add(world.top_up)
    db.session.commit()
    world.roster_job = Job(kind="roster_import", status=JobStatus.SUCCEEDED,
                           created_by_id=world.users["enterprise_admin"].id,
                           enterprise_id=world.enterprise.id, locale="en", filename="r.csv",
                           options={}, stage="done", done=1, total=1, result={"created": 1},
                           errors=[], error_message="", created_at=utcnow(),
                           updated_at=utcnow())
    db.session.add(world.roster_job)
    db.session.commit()
    kit = BookingKit(make, park=world.park)
    service = kit.service(price_minor=12_000, title_en="Matrix massage")
    world.priced_booking = booking_services.hold_slot(
        service, practitioner_id=kit.practitioner.id, starts_at=kit.slot(days=4),
        actor=world.users["employee"], now=utcnow())
    world.priced_series = series_services.book_series(
        service, practitioner_id=kit.practitioner.id, starts=[kit.slot(days=6)],
        actor=world.users["employee"], now=utcnow())
    db.session.commit()


def _owner_only(status: int, *, anonymous: int) -> dict[str, int]:
    return signed_in(404, anonymous=anonymous, employee=status)


def _owners(status: int, *, anonymous: int) -> dict[str, int]:
    """A provider's money: its owners and platform admins; its staff are refused."""
    return signed_in(404, anonymous=anonymous, provider_owner=status, platform_admin=status,
                     provider_staff=403)


def _b(world: World) -> int:
    return world.priced_booking.id


def _admins_only(status: int, *, anonymous: int = LOGIN, **overrides) -> dict[str, int]:
    return signed_in(404, anonymous=anonymous, employee=403,
                     enterprise_admin=status, platform_admin=status, **overrides)


E = "/enterprises/<int:enterprise_id>"


def _e(world: World) -> str:
    return f"/enterprises/{world.enterprise.id}"


def _p(world: World) -> str:
    return f"{_e(world)}/programmes/{world.programme.id}"


ROUTES = [
    RouteCase("GET", "/me/budget", lambda w: "/me/budget", signed_in(200, anonymous=LOGIN)),
    RouteCase("GET", f"{E}/roster", lambda w: f"{_e(w)}/roster", _admins_only(200)),
    RouteCase("POST", f"{E}/roster", lambda w: f"{_e(w)}/roster", _admins_only(400),
              body=lambda w: {}),
    RouteCase("GET", f"{E}/roster/imports/<int:job_id>",
              lambda w: f"{_e(w)}/roster/imports/{w.roster_job.id}", _admins_only(200)),
    RouteCase("POST", f"{E}/roster/<int:entry_id>",
              lambda w: f"{_e(w)}/roster/{w.roster_entry.id}", _admins_only(302),
              body=lambda w: {"department": "新部门", "grade": "P7"}),
    RouteCase("POST", f"{E}/roster/<int:entry_id>/deactivate",
              lambda w: f"{_e(w)}/roster/{w.roster_entry.id}/deactivate", _admins_only(302)),
    RouteCase("GET", f"{E}/programmes", lambda w: f"{_e(w)}/programmes", _admins_only(200)),
    RouteCase("POST", f"{E}/programmes", lambda w: f"{_e(w)}/programmes", _admins_only(400),
              body=lambda w: {}),
    RouteCase("GET", f"{E}/programmes/<int:programme_id>", _p, _admins_only(200)),
    RouteCase("GET", f"{E}/programmes/<int:programme_id>/report", lambda w: f"{_p(w)}/report",
              _admins_only(200)),
    RouteCase("GET", f"{E}/programmes/<int:programme_id>/report.csv",
              lambda w: f"{_p(w)}/report.csv", _admins_only(200)),
    RouteCase("POST", f"{E}/programmes/<int:programme_id>/allocate",
              lambda w: f"{_p(w)}/allocate", _admins_only(409),
              note="the world's programme is unfunded and its employee (signed up, not on "
                   "the roster) is due a budget: refused, nothing written"),
    RouteCase("GET", f"{E}/programmes/<int:programme_id>/edit", lambda w: f"{_p(w)}/edit",
              _admins_only(200)),
    RouteCase("POST", f"{E}/programmes/<int:programme_id>/edit", lambda w: f"{_p(w)}/edit",
              _admins_only(400), body=lambda w: {}, note="an empty form changes nothing"),
    RouteCase("POST", f"{E}/programmes/<int:programme_id>/funding",
              lambda w: f"{_p(w)}/funding",
              signed_in(403, anonymous=LOGIN, platform_admin=302),
              body=lambda w: {"amount": "100", "bank_reference": "M-1"}),
    RouteCase("POST", f"{E}/programmes/<int:programme_id>/top-up",
              lambda w: f"{_p(w)}/top-up", _admins_only(302), body=lambda w: {},
              note="an empty form goes back to the programme page"),
    RouteCase("GET", f"{E}/programmes/<int:programme_id>/top-ups/<int:top_up_id>/return",
              lambda w: f"{_p(w)}/top-ups/{w.top_up.id}/return", _admins_only(200),
              note="card payments are off in the matrix: the page says it cannot check"),
    RouteCase("GET", "/providers/<int:provider_id>/statement",
              lambda w: f"/providers/{w.provider.id}/statement", _owners(200, anonymous=LOGIN)),
    RouteCase("GET", "/providers/<int:provider_id>/statement.csv",
              lambda w: f"/providers/{w.provider.id}/statement.csv",
              _owners(200, anonymous=LOGIN)),
    RouteCase("GET", "/bookings/<int:booking_id>/checkout",
              lambda w: f"/bookings/{_b(w)}/checkout", _owner_only(200, anonymous=LOGIN)),
    RouteCase("POST", "/bookings/<int:booking_id>/checkout",
              lambda w: f"/bookings/{_b(w)}/checkout", _owner_only(409, anonymous=LOGIN),
              note="no budget and no Stripe: refused with a message, nothing written"),
    RouteCase("GET", "/series/<int:series_id>/pay",
              lambda w: f"/series/{w.priced_series.id}/pay", _owner_only(200, anonymous=LOGIN)),
    RouteCase("POST", "/series/<int:series_id>/pay",
              lambda w: f"/series/{w.priced_series.id}/pay", _owner_only(409, anonymous=LOGIN),
              note="no budget and no Stripe: refused with a message, nothing written"),
    RouteCase("GET", "/bookings/<int:booking_id>/checkout/return",
              lambda w: f"/bookings/{_b(w)}/checkout/return",
              _owner_only(200, anonymous=LOGIN),
              note="nothing started: 'not finished yet' (with a payment it reads the intent)"),
    RouteCase("POST", "/bookings/<int:booking_id>/checkout/release",
              lambda w: f"/bookings/{_b(w)}/checkout/release",
              _owner_only(303, anonymous=LOGIN),
              note="the owner lets the held place go, back to the booking's page"),
    # -- API
    RouteCase("POST", "/api/v1/series/<int:series_id>/checkout",
              lambda w: f"/api/v1/series/{w.priced_series.id}/checkout",
              _owner_only(409, anonymous=401)),
    RouteCase("GET", "/api/v1/bookings/<int:booking_id>/quote",
              lambda w: f"/api/v1/bookings/{_b(w)}/quote", _owner_only(200, anonymous=401)),
    RouteCase("POST", "/api/v1/bookings/<int:booking_id>/checkout",
              lambda w: f"/api/v1/bookings/{_b(w)}/checkout", _owner_only(409, anonymous=401)),
    RouteCase("GET", "/api/v1/bookings/<int:booking_id>/payment",
              lambda w: f"/api/v1/bookings/{_b(w)}/payment", _owner_only(404, anonymous=401),
              note="not paid yet: not found for the owner too"),
    RouteCase("POST", "/api/v1/payments/stripe/webhook",
              lambda w: "/api/v1/payments/stripe/webhook", everyone(400),
              note="unsigned: refused for everyone"),
    RouteCase("GET", f"/api/v1{E}/programmes/<int:programme_id>/report",
              lambda w: f"/api/v1{_p(w)}/report", _admins_only(200, anonymous=401)),
    RouteCase("POST", f"/api/v1{E}/programmes/<int:programme_id>/top-ups",
              lambda w: f"/api/v1{_p(w)}/top-ups", _admins_only(409, anonymous=401),
              body=lambda w: {"amount_minor": 100}, note="Stripe is off in the matrix"),
    RouteCase("GET", "/api/v1/providers/<int:provider_id>/statements/<month>",
              lambda w: f"/api/v1/providers/{w.provider.id}/statements/2026-11",
              _owners(200, anonymous=401)),
    RouteCase("GET", "/api/v1/me/budget", lambda w: "/api/v1/me/budget",
              signed_in(200, anonymous=401)),
    RouteCase("GET", f"/api/v1{E}/roster", lambda w: f"/api/v1{_e(w)}/roster",
              _admins_only(200, anonymous=401)),
    RouteCase("POST", f"/api/v1{E}/roster", lambda w: f"/api/v1{_e(w)}/roster",
              _admins_only(200, anonymous=401),
              body=lambda w: {"csv": "employee_no,name,email,department,grade\n"
                                     "M2,新人,new.m2@example.com,d,g\n"}),
    RouteCase("POST", f"/api/v1{E}/roster/imports", lambda w: f"/api/v1{_e(w)}/roster/imports",
              _admins_only(202, anonymous=401),
              body=lambda w: {"csv": "employee_no,name,email,department,grade\n"
                                     "M3,新人,new.m3@example.com,d,g\n"}),
    RouteCase("GET", "/api/v1/jobs/<int:job_id>", lambda w: f"/api/v1/jobs/{w.roster_job.id}",
              _admins_only(200, anonymous=401),
              note="core's job status, here for a roster import: its enterprise's admins"),
    RouteCase("PATCH", f"/api/v1{E}/roster/<int:entry_id>",
              lambda w: f"/api/v1{_e(w)}/roster/{w.roster_entry.id}",
              _admins_only(200, anonymous=401), body=lambda w: {"grade": "P7"}),
    RouteCase("POST", f"/api/v1{E}/roster/<int:entry_id>/deactivate",
              lambda w: f"/api/v1{_e(w)}/roster/{w.roster_entry.id}/deactivate",
              _admins_only(200, anonymous=401)),
    RouteCase("GET", f"/api/v1{E}/programmes", lambda w: f"/api/v1{_e(w)}/programmes",
              _admins_only(200, anonymous=401)),
    RouteCase("POST", f"/api/v1{E}/programmes", lambda w: f"/api/v1{_e(w)}/programmes",
              _admins_only(201, anonymous=401),
              body=lambda w: {"name": "m", "period": "monthly", "amount_minor": 1,
                              "starts_on": "2026-01-01"}),
    RouteCase("GET", f"/api/v1{E}/programmes/<int:programme_id>",
              lambda w: f"/api/v1{_p(w)}", _admins_only(200, anonymous=401)),
    RouteCase("PUT", f"/api/v1{E}/programmes/<int:programme_id>",
              lambda w: f"/api/v1{_p(w)}", _admins_only(200, anonymous=401),
              body=lambda w: {"name": "m", "amount_minor": 80_000, "starts_on": "2026-01-01",
                              "amount_rules": [{"grade": "P7", "amount_minor": 120_000}]}),
    RouteCase("PATCH", f"/api/v1{E}/programmes/<int:programme_id>",
              lambda w: f"/api/v1{_p(w)}", _admins_only(200, anonymous=401),
              body=lambda w: {"amount_minor": 90_000}),
    RouteCase("POST", f"/api/v1{E}/programmes/<int:programme_id>/allocations",
              lambda w: f"/api/v1{_p(w)}/allocations", _admins_only(409, anonymous=401),
              note="unfunded, and the world's employee is due a budget"),
    RouteCase("POST", f"/api/v1{E}/programmes/<int:programme_id>/funding",
              lambda w: f"/api/v1{_p(w)}/funding",
              signed_in(403, anonymous=401, platform_admin=201),
              body=lambda w: {"amount_minor": 100, "bank_reference": "M-2"}),
]
