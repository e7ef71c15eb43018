"""The booking package's routes in the authorisation matrix."""

from __future__ import annotations

from booking import series as series_services
from booking import services, waitlist
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from tests.authz.harness import RouteCase, World, everyone, signed_in
from tests.booking.factories import add_practitioner, create_service, slot_at

LOGIN = 302


def build_world(world: World, make) -> None:
    now = utcnow()
    owner = world.users["provider_owner"]
    practitioner = add_practitioner(world.provider, owner=owner, name_en="Matrix Wang", now=now)
    world.service = create_service(world.provider, owner=owner, practitioners=[practitioner],
                                   now=now)
    employee = world.users["employee"]
    world.booking = services.hold_slot(world.service, practitioner_id=practitioner.id,
                                       starts_at=slot_at(now, 2, 9), actor=employee, now=now)
    world.cancelled = services.hold_slot(world.service, practitioner_id=practitioner.id,
                                         starts_at=slot_at(now, 6, 15), actor=employee, now=now)
    services.cancel_booking(world.cancelled, actor=employee, now=now)
    world.series = series_services.book_series(
        world.service, practitioner_id=practitioner.id, starts=[slot_at(now, 7, 11)],
        actor=employee, now=now)
    someone = make.user(Role.EMPLOYEE, enterprise=world.enterprise)
    services.hold_slot(world.service, practitioner_id=practitioner.id,
                       starts_at=slot_at(now, 8, 12), actor=someone, now=now)
    world.waitlist_entry = waitlist.join_waitlist(
        world.service, practitioner_id=practitioner.id, starts_at=slot_at(now, 8, 12),
        actor=employee, now=now)
    db.session.commit()


#: Who sees a booking: its client, the provider's staff, platform admins.
BOOKING_SEERS = {"employee", "provider_owner", "provider_staff", "platform_admin"}


def seers(status: int, *, anonymous: int, client: int | None = None,
          staff: int | None = None) -> dict[str, int]:
    expect = signed_in(404, anonymous=anonymous)
    for actor in BOOKING_SEERS:
        expect[actor] = status
    if client is not None:
        expect["employee"] = client
    if staff is not None:
        expect["provider_owner"] = expect["provider_staff"] = staff
        expect["platform_admin"] = staff
    return expect


def provider_staff(status: int, *, anonymous: int) -> dict[str, int]:
    return signed_in(404, anonymous=anonymous, provider_owner=status, provider_staff=status,
                     platform_admin=status)


ROUTES = [
    # -- pages
    RouteCase("GET", "/services/<int:service_id>/book",
              lambda w: f"/services/{w.service.id}/book",
              signed_in(200, anonymous=LOGIN, other_park_committee=404),
              note="anyone of the park sees a verified provider's service; only employees "
                   "get the book buttons"),
    RouteCase("POST", "/services/<int:service_id>/book",
              lambda w: f"/services/{w.service.id}/book",
              signed_in(400, anonymous=LOGIN, other_park_committee=404), body=lambda w: {},
              note="an empty form is refused before any rule"),
    RouteCase("GET", "/services/<int:service_id>/book/confirm",
              lambda w: (f"/services/{w.service.id}/book/confirm?practitioner_id="
                         f"{w.service.practitioners[0].id}&starts_at="
                         + slot_at(utcnow(), 3, 9).isoformat().replace("+", "%2B")),
              signed_in(404, anonymous=LOGIN, employee=200, other_employee=200,
                        provider_owner=403, provider_staff=403, platform_admin=403),
              note="the confirmation step: only employees of the park may book; the "
                   "provider's own staff are told they may not"),
    RouteCase("POST", "/services/<int:service_id>/waitlist",
              lambda w: f"/services/{w.service.id}/waitlist",
              signed_in(400, anonymous=LOGIN, other_park_committee=404), body=lambda w: {}),
    RouteCase("GET", "/bookings", lambda w: "/bookings", signed_in(200, anonymous=LOGIN)),
    RouteCase("GET", "/bookings/<int:booking_id>", lambda w: f"/bookings/{w.booking.id}",
              seers(200, anonymous=LOGIN)),
    RouteCase("GET", "/services/<int:service_id>/series",
              lambda w: f"/services/{w.service.id}/series?count=2",
              signed_in(404, anonymous=LOGIN, employee=200, other_employee=200,
                        provider_owner=403, provider_staff=403, platform_admin=403),
              note="only employees of the park may book a course"),
    RouteCase("POST", "/services/<int:service_id>/series",
              lambda w: f"/services/{w.service.id}/series", signed_in(
                  302, anonymous=LOGIN, other_park_committee=404), body=lambda w: {},
              note="an empty choice goes back to the plan"),
    RouteCase("GET", "/series/<int:series_id>", lambda w: f"/series/{w.series.id}",
              signed_in(404, anonymous=LOGIN, employee=200)),
    RouteCase("POST", "/series/<int:series_id>/cancel",
              lambda w: f"/series/{w.series.id}/cancel",
              signed_in(404, anonymous=LOGIN, employee=302)),
    RouteCase("POST", "/bookings/<int:booking_id>/share",
              lambda w: f"/bookings/{w.booking.id}/share",
              signed_in(404, anonymous=LOGIN, employee=302),
              body=lambda w: {"share": "blood_pressure"},
              note="only the client shares their own health data"),
    RouteCase("GET", "/bookings/<int:booking_id>/cancel",
              lambda w: f"/bookings/{w.booking.id}/cancel", seers(200, anonymous=LOGIN),
              note="the confirmation step, with the fee and refund"),
    RouteCase("GET", "/bookings/<int:booking_id>/calendar.ics",
              lambda w: f"/bookings/{w.booking.id}/calendar.ics", seers(200, anonymous=LOGIN)),
    RouteCase("POST", "/bookings/<int:booking_id>/cancel",
              lambda w: f"/bookings/{w.cancelled.id}/cancel", seers(409, anonymous=LOGIN),
              body=lambda w: {}, note="already cancelled: refused by the state machine"),
    RouteCase("POST", "/bookings/<int:booking_id>/reschedule",
              lambda w: f"/bookings/{w.booking.id}/reschedule",
              signed_in(404, anonymous=LOGIN, employee=400), body=lambda w: {},
              note="only the client moves their booking"),
    RouteCase("POST", "/bookings/<int:booking_id>/attendance",
              lambda w: f"/bookings/{w.booking.id}/attendance",
              seers(409, anonymous=LOGIN, client=404), body=lambda w: {"attended": "1"},
              note="too early for staff; the client may not mark it"),
    RouteCase("GET", "/providers/<int:provider_id>/bookings",
              lambda w: f"/providers/{w.provider.id}/bookings",
              provider_staff(200, anonymous=LOGIN)),
    RouteCase("POST", "/bookings/calendar-feed", lambda w: "/bookings/calendar-feed",
              signed_in(302, anonymous=LOGIN), note="one's own feed address"),
    RouteCase("POST", "/bookings/calendar-feed/revoke",
              lambda w: "/bookings/calendar-feed/revoke", signed_in(302, anonymous=LOGIN)),
    RouteCase("GET", "/feeds/me/<token>.ics", lambda w: "/feeds/me/forged.ics", everyone(404),
              note="the secret is the only credential"),
    RouteCase("POST", "/waitlist/<int:entry_id>/accept",
              lambda w: f"/waitlist/{w.waitlist_entry.id}/accept",
              signed_in(404, anonymous=LOGIN, employee=302), note="nothing on offer: flashed"),
    RouteCase("POST", "/waitlist/<int:entry_id>/leave",
              lambda w: f"/waitlist/{w.waitlist_entry.id}/leave",
              signed_in(404, anonymous=LOGIN, employee=302)),
    # -- API
    RouteCase("POST", "/api/v1/bookings", lambda w: "/api/v1/bookings",
              signed_in(422, anonymous=401), body=lambda w: {}),
    RouteCase("GET", "/api/v1/bookings", lambda w: "/api/v1/bookings",
              signed_in(200, anonymous=401)),
    RouteCase("GET", "/api/v1/bookings/<int:booking_id>",
              lambda w: f"/api/v1/bookings/{w.booking.id}", seers(200, anonymous=401)),
    RouteCase("POST", "/api/v1/bookings/<int:booking_id>/share",
              lambda w: f"/api/v1/bookings/{w.booking.id}/share",
              signed_in(404, anonymous=401, employee=200),
              body=lambda w: {"share": ["blood_pressure"]},
              note="only the client shares their own health data"),
    RouteCase("POST", "/api/v1/me/calendar-feed", lambda w: "/api/v1/me/calendar-feed",
              signed_in(201, anonymous=401), note="one's own feed address"),
    RouteCase("DELETE", "/api/v1/me/calendar-feed", lambda w: "/api/v1/me/calendar-feed",
              signed_in(204, anonymous=401)),
    RouteCase("GET", "/api/v1/bookings/<int:booking_id>/cancellation",
              lambda w: f"/api/v1/bookings/{w.booking.id}/cancellation",
              seers(200, anonymous=401)),
    RouteCase("POST", "/api/v1/bookings/<int:booking_id>/cancel",
              lambda w: f"/api/v1/bookings/{w.cancelled.id}/cancel",
              seers(409, anonymous=401), body=lambda w: {"reason": "again"}),
    RouteCase("POST", "/api/v1/bookings/<int:booking_id>/reschedule",
              lambda w: f"/api/v1/bookings/{w.booking.id}/reschedule",
              signed_in(404, anonymous=401, employee=422),
              body=lambda w: {"starts_at": "2020-01-01T02:00:00+00:00"}),
    RouteCase("POST", "/api/v1/bookings/<int:booking_id>/attendance",
              lambda w: f"/api/v1/bookings/{w.booking.id}/attendance",
              seers(409, anonymous=401, client=404), body=lambda w: {"attended": True}),
    RouteCase("GET", "/api/v1/providers/<int:provider_id>/bookings",
              lambda w: f"/api/v1/providers/{w.provider.id}/bookings",
              provider_staff(200, anonymous=401)),
    RouteCase("POST", "/api/v1/series/preview", lambda w: "/api/v1/series/preview",
              signed_in(422, anonymous=401), body=lambda w: {}),
    RouteCase("POST", "/api/v1/series", lambda w: "/api/v1/series",
              signed_in(422, anonymous=401), body=lambda w: {}),
    RouteCase("GET", "/api/v1/series/<int:series_id>",
              lambda w: f"/api/v1/series/{w.series.id}",
              signed_in(404, anonymous=401, employee=200), note="the client's own"),
    RouteCase("POST", "/api/v1/series/<int:series_id>/cancel",
              lambda w: f"/api/v1/series/{w.series.id}/cancel",
              signed_in(404, anonymous=401, employee=200), body=lambda w: {}),
    RouteCase("POST", "/api/v1/waitlist", lambda w: "/api/v1/waitlist",
              signed_in(422, anonymous=401), body=lambda w: {}),
    RouteCase("GET", "/api/v1/waitlist", lambda w: "/api/v1/waitlist",
              signed_in(200, anonymous=401)),
    RouteCase("POST", "/api/v1/waitlist/<int:entry_id>/accept",
              lambda w: f"/api/v1/waitlist/{w.waitlist_entry.id}/accept",
              signed_in(404, anonymous=401, employee=409), body=lambda w: {},
              note="nothing is on offer yet"),
    RouteCase("POST", "/api/v1/waitlist/<int:entry_id>/leave",
              lambda w: f"/api/v1/waitlist/{w.waitlist_entry.id}/leave",
              signed_in(404, anonymous=401, employee=200), body=lambda w: {}),
]
