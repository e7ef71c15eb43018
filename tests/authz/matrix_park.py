"""The park package's routes in the authorisation matrix.

Everyone of the park (any role) sees its published events; its committee (and platform
admins) manage them; a committee member of another park gets 404; only employees
register (platform admins have no employer)."""

from __future__ import annotations

import base64
from datetime import timedelta

from core.clock import utcnow
from core.db import db
from park import checkin, covers, registration, services
from park.models import EventKind
from park.registration import format_code
from tests.authz.harness import RouteCase, World, everyone, signed_in
from tests.park.factories import at

LOGIN = 302
MANAGERS = ("committee", "platform_admin")
#: A valid 1×1 PNG.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def build_world(world: World, make) -> None:
    """Adds plain ids and codes (the world's ORM objects are detached once built)."""
    now = utcnow()
    committee = world.users["committee"]
    venue = services.create_venue(world.park, actor=committee, name_zh="礼堂",
                                  name_en="Matrix hall", location="", capacity=20, now=now)
    event = services.create_event(
        world.park, actor=committee, title_zh="矩阵活动", title_en="Matrix event",
        description_zh="", description_en="", kind=EventKind.TALK, family_places=0,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=5), now=now)
    session = services.add_session(
        event, actor=committee, venue_id=venue.id, starts_at=at(now, 6, 9),
        ends_at=at(now, 6, 10), capacity=10, now=now)
    open_session = services.add_session(
        event, actor=committee, venue_id=venue.id, starts_at=at(now, 7, 9),
        ends_at=at(now, 7, 10), capacity=10, now=now)
    services.publish_event(event, actor=committee, now=now)
    mine = registration.register(session, actor=world.users["employee"], now=now)
    used = registration.register(session, actor=world.users["other_employee"], now=now)
    checkin.check_in(session, code=used.ticket_code, actor=committee, now=now)
    covers.set_cover(event, actor=committee, content=TINY_PNG, filename="cover.png", now=now)
    paid = services.create_event(
        world.park, actor=committee, title_zh="月饼", title_en="Mooncakes",
        description_zh="", description_en="", kind=EventKind.WORKSHOP, family_places=0,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=5), price_minor=5000, now=now)
    paid_session = services.add_session(
        paid, actor=committee, venue_id=venue.id, starts_at=at(now, 8, 9),
        ends_at=at(now, 8, 10), capacity=10, now=now)
    services.publish_event(paid, actor=committee, now=now)
    world.paid_registration_id = registration.register(
        paid_session, actor=world.users["employee"], now=now).id
    db.session.flush()
    world.park_venue_id, world.park_event_id = venue.id, event.id
    world.park_session_id, world.park_open_session_id = session.id, open_session.id
    world.registration_id, world.used_ticket_code = mine.id, format_code(used.ticket_code)
    db.session.commit()


def managers(status: int, *, anonymous: int, others: int = 403) -> dict[str, int]:
    """The park's committee and platform admins get ``status``; the rest of the park
    ``others``; another park's committee 404."""
    expect = signed_in(others, anonymous=anonymous, other_park_committee=404)
    for actor in MANAGERS:
        expect[actor] = status
    return expect


def park_people(status: int, *, anonymous: int, **overrides: int) -> dict[str, int]:
    return signed_in(status, anonymous=anonymous, other_park_committee=404, **overrides)


def owner_only(status: int, *, anonymous: int) -> dict[str, int]:
    return signed_in(404, anonymous=anonymous, employee=status)


def _event(w: World) -> int:
    return w.park_event_id


def _session_times(w: World) -> dict:
    now = utcnow()
    return {"venue_id": w.park_venue_id, "capacity": 5, "starts_at": at(now, 9, 5).isoformat(),
            "ends_at": at(now, 9, 4).isoformat()}


ROUTES = [
    # -- pages for the park's people
    RouteCase("GET", "/events", lambda w: "/events", signed_in(200, anonymous=LOGIN)),
    RouteCase("GET", "/events/<int:event_id>", lambda w: f"/events/{_event(w)}",
              park_people(200, anonymous=LOGIN)),
    RouteCase("POST", "/events/sessions/<int:session_id>/register",
              lambda w: f"/events/sessions/{w.park_open_session_id}/register",
              park_people(400, anonymous=LOGIN), body=lambda w: {},
              note="an empty form is refused before any rule"),
    RouteCase("POST", "/events/<int:event_id>/feedback",
              lambda w: f"/events/{_event(w)}/feedback", park_people(400, anonymous=LOGIN),
              body=lambda w: {}, note="an empty form is refused before any rule"),
    RouteCase("GET", "/tickets/<int:registration_id>/certificate.pdf",
              lambda w: f"/tickets/{w.registration_id}/certificate.pdf",
              owner_only(409, anonymous=LOGIN), note="a talk, not a course"),
    RouteCase("GET", "/my-events", lambda w: "/my-events", signed_in(200, anonymous=LOGIN)),
    RouteCase("GET", "/tickets/<int:registration_id>",
              lambda w: f"/tickets/{w.registration_id}", owner_only(200, anonymous=LOGIN)),
    RouteCase("POST", "/registrations/<int:registration_id>/cancel",
              lambda w: f"/registrations/{w.registration_id}/cancel",
              owner_only(302, anonymous=LOGIN)),
    RouteCase("POST", "/registrations/<int:registration_id>/accept",
              lambda w: f"/registrations/{w.registration_id}/accept",
              owner_only(302, anonymous=LOGIN), note="nothing on offer: flashed"),
    RouteCase("GET", "/parks/<code>/events.ics", lambda w: f"/parks/{w.park.code}/events.ics",
              everyone(200), note="the park's public calendar"),
    RouteCase("GET", "/parks/<code>/events.atom", lambda w: f"/parks/{w.park.code}/events.atom",
              everyone(200), note="the park's public events as Atom"),
    RouteCase("GET", "/certificates/verify/<number>",
              lambda w: "/certificates/verify/PW-000001-AAAAAAAAAAAAAAAA", everyone(404),
              note="public; a forged number is not a certificate, whoever asks"),
    RouteCase("GET", "/events/<int:event_id>/cover", lambda w: f"/events/{_event(w)}/cover",
              everyone(200), note="a published event's cover is as public as the calendar"),
    RouteCase("GET", "/tickets/<int:registration_id>/pay",
              lambda w: f"/tickets/{w.paid_registration_id}/pay",
              owner_only(200, anonymous=LOGIN)),
    RouteCase("POST", "/tickets/<int:registration_id>/pay",
              lambda w: f"/tickets/{w.paid_registration_id}/pay",
              owner_only(409, anonymous=LOGIN), body=lambda w: {},
              note="no budget and card payment off: refused, nothing written"),
    # -- committee pages
    RouteCase("GET", "/park/<int:park_id>/events", lambda w: f"/park/{w.park.id}/events",
              managers(200, anonymous=LOGIN)),
    RouteCase("GET", "/park/<int:park_id>/events/new",
              lambda w: f"/park/{w.park.id}/events/new", managers(200, anonymous=LOGIN)),
    RouteCase("POST", "/park/<int:park_id>/events/new",
              lambda w: f"/park/{w.park.id}/events/new", managers(400, anonymous=LOGIN),
              body=lambda w: {}),
    RouteCase("GET", "/park/events/<int:event_id>", lambda w: f"/park/events/{_event(w)}",
              managers(200, anonymous=LOGIN)),
    RouteCase("POST", "/park/events/<int:event_id>", lambda w: f"/park/events/{_event(w)}",
              managers(400, anonymous=LOGIN), body=lambda w: {}),
    RouteCase("POST", "/park/events/<int:event_id>/sessions",
              lambda w: f"/park/events/{_event(w)}/sessions", managers(400, anonymous=LOGIN),
              body=lambda w: {}),
    RouteCase("GET", "/park/sessions/<int:session_id>/edit",
              lambda w: f"/park/sessions/{w.park_session_id}/edit",
              managers(200, anonymous=LOGIN)),
    RouteCase("POST", "/park/sessions/<int:session_id>/edit",
              lambda w: f"/park/sessions/{w.park_session_id}/edit",
              managers(400, anonymous=LOGIN), body=lambda w: {}),
    RouteCase("POST", "/park/events/<int:event_id>/cover",
              lambda w: f"/park/events/{_event(w)}/cover", managers(400, anonymous=LOGIN),
              body=lambda w: {}, note="no file"),
    RouteCase("POST", "/park/events/<int:event_id>/cover/remove",
              lambda w: f"/park/events/{_event(w)}/cover/remove",
              managers(302, anonymous=LOGIN)),
    RouteCase("POST", "/park/sessions/<int:session_id>/remove",
              lambda w: f"/park/sessions/{w.park_session_id}/remove",
              managers(409, anonymous=LOGIN), note="a published event keeps its sessions"),
    RouteCase("POST", "/park/sessions/<int:session_id>/cancel",
              lambda w: f"/park/sessions/{w.park_open_session_id}/cancel",
              managers(400, anonymous=LOGIN), body=lambda w: {},
              note="not confirmed (the box unticked): refused before any rule"),
    RouteCase("POST", "/park/sessions/<int:session_id>/restore",
              lambda w: f"/park/sessions/{w.park_open_session_id}/restore",
              managers(409, anonymous=LOGIN), note="going ahead: nothing to restore"),
    RouteCase("POST", "/park/events/<int:event_id>/<any(publish, complete, cancel):step>",
              lambda w: f"/park/events/{_event(w)}/publish", managers(409, anonymous=LOGIN),
              note="already published"),
    RouteCase("GET", "/park/events/<int:event_id>/feedback.csv",
              lambda w: f"/park/events/{_event(w)}/feedback.csv",
              managers(200, anonymous=LOGIN)),
    RouteCase("GET", "/park/venues/<int:venue_id>/edit",
              lambda w: f"/park/venues/{w.park_venue_id}/edit", managers(200, anonymous=LOGIN)),
    RouteCase("POST", "/park/venues/<int:venue_id>/edit",
              lambda w: f"/park/venues/{w.park_venue_id}/edit", managers(400, anonymous=LOGIN),
              body=lambda w: {}),
    RouteCase("GET", "/park/<int:park_id>/venues", lambda w: f"/park/{w.park.id}/venues",
              managers(200, anonymous=LOGIN)),
    RouteCase("POST", "/park/<int:park_id>/venues", lambda w: f"/park/{w.park.id}/venues",
              managers(400, anonymous=LOGIN), body=lambda w: {}),
    RouteCase("GET", "/park/sessions/<int:session_id>/checkin",
              lambda w: f"/park/sessions/{w.park_session_id}/checkin",
              managers(200, anonymous=LOGIN)),
    RouteCase("POST", "/park/sessions/<int:session_id>/checkin",
              lambda w: f"/park/sessions/{w.park_session_id}/checkin",
              managers(400, anonymous=LOGIN), body=lambda w: {}),
    RouteCase("GET", "/park/sessions/<int:session_id>/attendance.json",
              lambda w: f"/park/sessions/{w.park_session_id}/attendance.json",
              managers(200, anonymous=LOGIN)),
    RouteCase("GET", "/park/<int:park_id>/announcements",
              lambda w: f"/park/{w.park.id}/announcements", managers(200, anonymous=LOGIN)),
    RouteCase("POST", "/park/<int:park_id>/announcements",
              lambda w: f"/park/{w.park.id}/announcements", managers(400, anonymous=LOGIN),
              body=lambda w: {}),
    RouteCase("GET", "/park/<int:park_id>/reports", lambda w: f"/park/{w.park.id}/reports",
              managers(200, anonymous=LOGIN)),
    RouteCase("GET", "/park/<int:park_id>/reports.csv",
              lambda w: f"/park/{w.park.id}/reports.csv", managers(200, anonymous=LOGIN)),
    # -- API
    RouteCase("POST", "/api/v1/events/<int:event_id>/feedback",
              lambda w: f"/api/v1/events/{_event(w)}/feedback",
              park_people(409, anonymous=401, other_employee=200),
              body=lambda w: {"rating": 5},
              note="only other_employee's ticket was used at the door"),
    RouteCase("GET", "/api/v1/parks/<int:park_id>/venues",
              lambda w: f"/api/v1/parks/{w.park.id}/venues", managers(200, anonymous=401)),
    RouteCase("POST", "/api/v1/parks/<int:park_id>/venues",
              lambda w: f"/api/v1/parks/{w.park.id}/venues",
              managers(409, anonymous=401),
              body=lambda w: {"name_zh": "礼堂", "name_en": "Matrix hall", "capacity": 5},
              note="the park already has a venue of this name: refused by the service"),
    RouteCase("PATCH", "/api/v1/venues/<int:venue_id>",
              lambda w: f"/api/v1/venues/{w.park_venue_id}", managers(409, anonymous=401),
              body=lambda w: {"capacity": 1},
              note="below the sessions still to come there: refused by the service"),
    RouteCase("PATCH", "/api/v1/events/<int:event_id>",
              lambda w: f"/api/v1/events/{_event(w)}", managers(200, anonymous=401),
              body=lambda w: {"title_en": "Matrix event, edited"}),
    RouteCase("PATCH", "/api/v1/sessions/<int:session_id>",
              lambda w: f"/api/v1/sessions/{w.park_session_id}", managers(409, anonymous=401),
              body=lambda w: {"capacity": 1},
              note="two places taken: capacity cannot drop below them"),
    RouteCase("GET", "/api/v1/events/<int:event_id>/feedback",
              lambda w: f"/api/v1/events/{_event(w)}/feedback", managers(200, anonymous=401)),
    RouteCase("GET", "/api/v1/events/<int:event_id>/analytics",
              lambda w: f"/api/v1/events/{_event(w)}/analytics", managers(200, anonymous=401)),
    RouteCase("GET", "/api/v1/parks/<int:park_id>/announcements",
              lambda w: f"/api/v1/parks/{w.park.id}/announcements",
              park_people(200, anonymous=401)),
    RouteCase("POST", "/api/v1/parks/<int:park_id>/announcements",
              lambda w: f"/api/v1/parks/{w.park.id}/announcements", managers(201, anonymous=401),
              body=lambda w: {"title": "矩阵公告", "body": "正文"}),
    RouteCase("GET", "/api/v1/events", lambda w: "/api/v1/events",
              signed_in(200, anonymous=401)),
    RouteCase("GET", "/api/v1/events/<int:event_id>",
              lambda w: f"/api/v1/events/{_event(w)}", park_people(200, anonymous=401)),
    RouteCase("POST", "/api/v1/parks/<int:park_id>/events",
              lambda w: f"/api/v1/parks/{w.park.id}/events", managers(201, anonymous=401),
              body=lambda w: {"title_zh": "讲座", "title_en": "Talk", "kind": "talk",
                              "registration_opens_at": "2026-01-01T00:00:00+08:00",
                              "registration_closes_at": "2026-01-02T00:00:00+08:00"}),
    RouteCase("POST", "/api/v1/events/<int:event_id>/sessions",
              lambda w: f"/api/v1/events/{_event(w)}/sessions", managers(422, anonymous=401),
              body=_session_times, note="ends before it starts: refused by the service"),
    RouteCase("PUT", "/api/v1/sessions/<int:session_id>",
              lambda w: f"/api/v1/sessions/{w.park_session_id}", managers(422, anonymous=401),
              body=_session_times, note="ends before it starts: refused by the service"),
    RouteCase("POST", "/api/v1/sessions/<int:session_id>/cancel",
              lambda w: f"/api/v1/sessions/{w.park_open_session_id}/cancel",
              managers(200, anonymous=401), body=lambda w: {"reason": "矩阵"},
              note="one of the event's two sessions: the other goes ahead"),
    RouteCase("POST", "/api/v1/sessions/<int:session_id>/restore",
              lambda w: f"/api/v1/sessions/{w.park_open_session_id}/restore",
              managers(409, anonymous=401), note="going ahead: nothing to restore"),
    RouteCase("POST", "/api/v1/events/<int:event_id>/cover",
              lambda w: f"/api/v1/events/{_event(w)}/cover", managers(422, anonymous=401),
              body=lambda w: {"content_base64": base64.b64encode(b"MZ not an image").decode()},
              note="not an image: refused by its content"),
    RouteCase("DELETE", "/api/v1/events/<int:event_id>/cover",
              lambda w: f"/api/v1/events/{_event(w)}/cover", managers(200, anonymous=401)),
    RouteCase("GET", "/api/v1/events/<int:event_id>/cover",
              lambda w: f"/api/v1/events/{_event(w)}/cover", park_people(200, anonymous=401)),
    RouteCase("GET", "/api/v1/registrations/<int:registration_id>/payment",
              lambda w: f"/api/v1/registrations/{w.paid_registration_id}/payment",
              owner_only(200, anonymous=401)),
    RouteCase("POST", "/api/v1/registrations/<int:registration_id>/pay",
              lambda w: f"/api/v1/registrations/{w.paid_registration_id}/pay",
              owner_only(409, anonymous=401), body=lambda w: {},
              note="no budget and card payment off"),
    RouteCase("POST", "/api/v1/events/<int:event_id>/status",
              lambda w: f"/api/v1/events/{_event(w)}/status", managers(409, anonymous=401),
              body=lambda w: {"status": "published"}, note="already published"),
    RouteCase("POST", "/api/v1/sessions/<int:session_id>/registrations",
              lambda w: f"/api/v1/sessions/{w.park_open_session_id}/registrations",
              park_people(403, anonymous=401, employee=201, other_employee=201),
              body=lambda w: {}, note="employees of the park's enterprises only"),
    RouteCase("GET", "/api/v1/parks/<int:park_id>/reports",
              lambda w: f"/api/v1/parks/{w.park.id}/reports", managers(200, anonymous=401)),
    RouteCase("DELETE", "/api/v1/sessions/<int:session_id>",
              lambda w: f"/api/v1/sessions/{w.park_session_id}", managers(409, anonymous=401),
              note="a published event keeps its sessions"),
    RouteCase("GET", "/api/v1/registrations/<int:registration_id>/certificate.pdf",
              lambda w: f"/api/v1/registrations/{w.registration_id}/certificate.pdf",
              owner_only(409, anonymous=401), note="a talk, not a course"),
    RouteCase("GET", "/api/v1/certificates/<number>",
              lambda w: "/api/v1/certificates/PW-000001-AAAAAAAAAAAAAAAA", everyone(404),
              note="public; a forged number is not a certificate, whoever asks"),
    RouteCase("GET", "/api/v1/registrations", lambda w: "/api/v1/registrations",
              signed_in(200, anonymous=401)),
    RouteCase("GET", "/api/v1/registrations/<int:registration_id>",
              lambda w: f"/api/v1/registrations/{w.registration_id}",
              owner_only(200, anonymous=401)),
    RouteCase("GET", "/api/v1/registrations/<int:registration_id>/ticket.svg",
              lambda w: f"/api/v1/registrations/{w.registration_id}/ticket.svg",
              owner_only(200, anonymous=401)),
    RouteCase("POST", "/api/v1/registrations/<int:registration_id>/cancel",
              lambda w: f"/api/v1/registrations/{w.registration_id}/cancel",
              owner_only(200, anonymous=401), body=lambda w: {}),
    RouteCase("POST", "/api/v1/registrations/<int:registration_id>/accept",
              lambda w: f"/api/v1/registrations/{w.registration_id}/accept",
              owner_only(409, anonymous=401), body=lambda w: {}, note="nothing on offer"),
    RouteCase("POST", "/api/v1/sessions/<int:session_id>/checkin",
              lambda w: f"/api/v1/sessions/{w.park_session_id}/checkin",
              managers(409, anonymous=401),
              body=lambda w: {"code": w.used_ticket_code},
              note="a ticket already used at the door: refused, saying when"),
    RouteCase("GET", "/api/v1/sessions/<int:session_id>/attendance",
              lambda w: f"/api/v1/sessions/{w.park_session_id}/attendance",
              managers(200, anonymous=401)),
]
