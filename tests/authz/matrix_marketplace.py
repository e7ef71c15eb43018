"""Marketplace routes in the authorisation matrix: the catalogue and service pages for the
provider's park, reviews by attendees, replies by the provider, hiding by the park."""

from __future__ import annotations

from datetime import timedelta

from booking import services as booking_services
from core.clock import utcnow
from core.db import db
from marketplace import reviews
from tests.authz.harness import RouteCase, World, signed_in
from tests.booking.factories import BookingKit

LOGIN = 302


def _kit_for_world(world: World, make) -> BookingKit:
    """A booking kit whose provider, owner and staff are the world's own."""
    kit = BookingKit.__new__(BookingKit)
    kit.make, kit.now, kit.park = make, utcnow(), world.park
    kit.provider, kit.enterprise = world.provider, world.enterprise
    kit.owner, kit.staff = world.users["provider_owner"], world.users["provider_staff"]
    kit.practitioner = kit.add_practitioner("Dr Matrix")
    db.session.commit()
    return kit


def _attended(kit: BookingKit, world: World, days: int):
    booking = booking_services.hold_slot(world.service, practitioner_id=kit.practitioner.id,
                                         starts_at=kit.slot(days=days, hour=14),
                                         actor=world.users["employee"], now=utcnow())
    booking_services.mark_attendance(booking, actor=kit.owner, attended=True,
                                     now=booking.starts_at + timedelta(minutes=5))
    return booking


def build_world(world: World, make) -> None:
    kit = _kit_for_world(world, make)
    world.service = kit.service(title_en="Matrix tuina")
    world.reviewable = _attended(kit, world, days=9)
    reviewed = _attended(kit, world, days=10)
    world.review = reviews.write_review(reviewed, actor=world.users["employee"], stars=4,
                                        text="好", now=utcnow())
    db.session.commit()


def _park_members(status: int, *, anonymous: int) -> dict[str, int]:
    return signed_in(status, anonymous=anonymous, other_park_committee=404)


def _attendee(status: int, *, anonymous: int) -> dict[str, int]:
    return signed_in(404, anonymous=anonymous, employee=status)


def _replier(status: int, *, anonymous: int) -> dict[str, int]:
    return signed_in(404, anonymous=anonymous, provider_owner=status, provider_staff=status,
                     platform_admin=403)


def _moderators(status: int, *, anonymous: int) -> dict[str, int]:
    return signed_in(404, anonymous=anonymous, committee=status, platform_admin=status)


ROUTES = [
    RouteCase("GET", "/me", lambda w: "/me", signed_in(200, anonymous=LOGIN)),
    RouteCase("GET", "/catalogue", lambda w: "/catalogue?q=tuina",
              signed_in(200, anonymous=LOGIN)),
    RouteCase("GET", "/providers/<int:provider_id>", lambda w: f"/providers/{w.provider.id}",
              _park_members(200, anonymous=LOGIN)),
    RouteCase("GET", "/services/<int:service_id>", lambda w: f"/services/{w.service.id}",
              _park_members(200, anonymous=LOGIN)),
    RouteCase("GET", "/bookings/<int:booking_id>/review",
              lambda w: f"/bookings/{w.reviewable.id}/review", _attendee(200, anonymous=LOGIN)),
    RouteCase("POST", "/bookings/<int:booking_id>/review",
              lambda w: f"/bookings/{w.reviewable.id}/review", _attendee(302, anonymous=LOGIN),
              body=lambda w: {"stars": "5", "text": "很好"}),
    RouteCase("POST", "/reviews/<int:review_id>/reply",
              lambda w: f"/reviews/{w.review.id}/reply", _replier(302, anonymous=LOGIN),
              body=lambda w: {"text": "谢谢"}),
    RouteCase("POST", "/reviews/<int:review_id>/hide",
              lambda w: f"/reviews/{w.review.id}/hide", _moderators(302, anonymous=LOGIN),
              body=lambda w: {"reason": "不当内容"}),
    RouteCase("GET", "/api/v1/catalog/search", lambda w: "/api/v1/catalog/search?q=tuina",
              signed_in(200, anonymous=401)),
    RouteCase("GET", "/api/v1/services/<int:service_id>/reviews",
              lambda w: f"/api/v1/services/{w.service.id}/reviews",
              _park_members(200, anonymous=401)),
    RouteCase("POST", "/api/v1/bookings/<int:booking_id>/review",
              lambda w: f"/api/v1/bookings/{w.reviewable.id}/review",
              _attendee(201, anonymous=401), body=lambda w: {"stars": 5, "text": "好"}),
    RouteCase("POST", "/api/v1/reviews/<int:review_id>/reply",
              lambda w: f"/api/v1/reviews/{w.review.id}/reply", _replier(200, anonymous=401),
              body=lambda w: {"text": "谢谢"}),
    RouteCase("POST", "/api/v1/reviews/<int:review_id>/hide",
              lambda w: f"/api/v1/reviews/{w.review.id}/hide", _moderators(204, anonymous=401),
              body=lambda w: {"reason": "不当内容"}),
]

