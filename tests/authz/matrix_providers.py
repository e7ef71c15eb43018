"""The providers package's routes in the authorisation matrix.

The world's provider is verified and in the world's park, so everyone in that park sees it
(other_provider_owner too: the other provider is in the same park); only
other_park_committee is outside. ``provider_staff`` is the world's practitioner, so they
manage their own schedule but not the provider. Within one case the actors run in the
order of ``ACTORS``: where the first allowed actor's request changes the world (a rule
created or removed), later allowed actors get the conflict or the 404 that follows (a
status that shows that they passed the authorisation check).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date, time

from core.clock import utcnow
from core.db import db
from core.jobs.models import Job, JobStatus
from providers.models import (
    AvailabilityRule,
    Credential,
    ExceptionKind,
    Practitioner,
    ProviderCategory,
    ProviderPhoto,
    ProviderProfile,
    ScheduleException,
    Service,
    VerificationStatus,
)
from tests.authz.harness import RouteCase, World, everyone, signed_in

LOGIN = 302


def build_world(world: World, make) -> None:
    now = utcnow()
    world.practitioner = Practitioner(
        provider=world.provider, user_id=world.users["provider_staff"].id, name_zh="王医生",
        name_en="Dr Wang", status=VerificationStatus.VERIFIED, languages=["zh"],
        created_at=now)
    db.session.add(world.practitioner)
    db.session.flush()
    world.service = Service(
        provider=world.provider, category=ProviderCategory.TCM, delivery_mode="park_station",
        title_zh="推拿", title_en="Tuina", duration_minutes=50, capacity=1, price_minor=100,
        health_needs=[], contraindications=[], details={}, created_at=now, updated_at=now,
        practitioners=[world.practitioner])
    world.rule = AvailabilityRule(
        practitioner=world.practitioner, rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        starts_on=date(2026, 8, 31), start_time=time(9), end_time=time(12),
        timezone="Asia/Shanghai", created_at=now)
    world.exception = ScheduleException(
        practitioner=world.practitioner, kind=ExceptionKind.CLOSED,
        happens_on=date(2026, 12, 1), timezone="Asia/Shanghai", created_at=now,
        updated_at=now)
    world.credential = Credential(
        provider=world.provider, practitioner=world.practitioner, licence_type="医师执业证书",
        licence_number="110-2026", issuer="上海市卫健委", expires_on=date(2030, 1, 1),
        document=b"%PDF-1.7 matrix", document_type="application/pdf",
        document_name="licence.pdf", created_at=now)
    world.feed_token = "matrix-practitioner-feed"
    world.provider_feed_token = "matrix-provider-feed"
    world.practitioner.feed_token_hash = hashlib.sha256(world.feed_token.encode()).hexdigest()
    profile = ProviderProfile(
        provider_id=world.provider.id, venues=[], languages=[], photo_urls=[], updated_at=now,
        feed_token_hash=hashlib.sha256(world.provider_feed_token.encode()).hexdigest())
    db.session.add_all([world.service, world.rule, world.exception, world.credential,
                        profile])
    db.session.flush()
    world.busy_job = Job(kind="busy_import", status=JobStatus.FAILED,
                         created_by_id=world.users["provider_staff"].id,
                         provider_id=world.provider.id, subject_id=world.practitioner.id,
                         locale="en", filename="mine.ics", options={}, stage="reading",
                         done=0, total=90, result={}, errors=[], error_code="invalid_calendar",
                         error_message="Nothing was imported.", created_at=now, updated_at=now)
    db.session.add(world.busy_job)
    world.photo = ProviderPhoto(provider_id=world.provider.id, width=480, height=360,
                                large_webp=b"RIFF", large_jpeg=b"\xff\xd8",
                                small_webp=b"RIFF", small_jpeg=b"\xff\xd8", created_at=now)
    db.session.add(world.photo)
    db.session.flush()


def _provider(w: World) -> int:
    return w.provider.id


def _practitioner(w: World) -> int:
    return w.practitioner.id


def _service(w: World) -> int:
    return w.service.id


def page(status: int, **overrides: int) -> dict[str, int]:
    """An HTML page: anonymous goes to the login page, everyone else 404 unless named."""
    return signed_in(404, anonymous=LOGIN, **{"platform_admin": status} | overrides)


def api(status: int, **overrides: int) -> dict[str, int]:
    return signed_in(404, anonymous=401, **{"platform_admin": status} | overrides)


SEEN_BY_PARK = signed_in(200, anonymous=401, other_park_committee=404)
SERVICE_FORM = {"category": "tcm", "delivery_mode": "park_station", "title_zh": "艾灸",
                "title_en": "Moxibustion", "duration_minutes": "40", "capacity": "1",
                "price_yuan": "88", "free_cancel_hours": "24", "late_cancel_fee_percent": "0",
                "min_notice_minutes": "60", "horizon_days": "30", "is_active": "y"}
SERVICE_JSON = {"category": "tcm", "delivery_mode": "park_station", "title_zh": "艾灸",
                "title_en": "Moxibustion", "duration_minutes": 40, "price_minor": 8800}
SATURDAY_RULE = {"rrule": "FREQ=WEEKLY;BYDAY=SA", "starts_on": "2026-09-05",
                 "start_time": "09:00", "end_time": "12:00"}
#: The weekly-hours editor's form (plain rows, as a browser without JavaScript sends it).
WEEK_FORM = {"timezone": "Asia/Shanghai", "action": "save", "saturday_on": "y",
             "saturday-0-start": "09:00", "saturday-0-end": "12:00"}
WEEK_JSON = {"timezone": "Asia/Shanghai",
             "days": {"saturday": [{"start": "09:00", "end": "12:00"}]}}
CREDENTIAL_JSON = {"licence_type": "医师执业证书", "licence_number": "110-2027",
                   "issuer": "上海市卫健委", "expires_on": "2030-01-01", "filename": "l.pdf",
                   "content_base64": base64.b64encode(b"%PDF-1.7 matrix").decode()}
REVIEWERS = {"committee": 200, "provider_owner": 403, "provider_staff": 403}
READERS = {"provider_owner": 200, "provider_staff": 200, "committee": 200}

ROUTES = [
    # -- dashboard pages
    RouteCase("GET", "/providers/<int:provider_id>/dashboard",
              lambda w: f"/providers/{_provider(w)}/dashboard",
              page(200, provider_owner=200, provider_staff=200)),
    RouteCase("GET", "/providers/<int:provider_id>/profile",
              lambda w: f"/providers/{_provider(w)}/profile",
              page(200, provider_owner=200, provider_staff=403)),
    RouteCase("POST", "/providers/<int:provider_id>/profile",
              lambda w: f"/providers/{_provider(w)}/profile",
              page(302, provider_owner=302, provider_staff=403),
              body=lambda w: {"categories": "tcm", "languages": "zh"}),
    RouteCase("POST", "/providers/<int:provider_id>/photos",
              lambda w: f"/providers/{_provider(w)}/photos",
              page(400, provider_owner=400, provider_staff=403), body=lambda w: {},
              note="allowed actors reach the form check: no photo was sent"),
    RouteCase("POST", "/providers/photos/<int:photo_id>/delete",
              lambda w: f"/providers/photos/{w.photo.id}/delete",
              page(302, provider_owner=302, provider_staff=403), body=lambda w: {}),
    RouteCase("GET",
              "/providers/photos/<int:photo_id>/<any(large, small):size>.<any(webp, jpg):fmt>",
              lambda w: f"/providers/photos/{w.photo.id}/small.webp",
              signed_in(200, anonymous=LOGIN, other_park_committee=404),
              note="whoever may see the provider"),
    RouteCase("POST", "/providers/<int:provider_id>/practitioners",
              lambda w: f"/providers/{_provider(w)}/practitioners",
              page(302, provider_owner=302, provider_staff=403),
              body=lambda w: {"name_zh": "李医生", "name_en": "Dr Li"},
              note="the admin's second add is refused as a duplicate, with a redirect"),
    RouteCase("GET", "/providers/<int:provider_id>/services/new",
              lambda w: f"/providers/{_provider(w)}/services/new",
              page(200, provider_owner=200, provider_staff=403)),
    RouteCase("POST", "/providers/<int:provider_id>/services/new",
              lambda w: f"/providers/{_provider(w)}/services/new",
              page(302, provider_owner=302, provider_staff=403),
              body=lambda w: SERVICE_FORM),
    RouteCase("GET", "/providers/services/<int:service_id>/edit",
              lambda w: f"/providers/services/{_service(w)}/edit",
              page(200, provider_owner=200, provider_staff=403)),
    RouteCase("POST", "/providers/services/<int:service_id>/edit",
              lambda w: f"/providers/services/{_service(w)}/edit",
              page(302, provider_owner=302, provider_staff=403),
              body=lambda w: SERVICE_FORM),
    RouteCase("GET", "/providers/practitioners/<int:practitioner_id>/schedule",
              lambda w: f"/providers/practitioners/{_practitioner(w)}/schedule",
              page(200, provider_owner=200, provider_staff=200)),
    RouteCase("POST", "/providers/practitioners/<int:practitioner_id>/rules",
              lambda w: f"/providers/practitioners/{_practitioner(w)}/rules",
              page(302, provider_owner=302, provider_staff=302),
              body=lambda w: SATURDAY_RULE),
    RouteCase("GET", "/providers/practitioners/<int:practitioner_id>/hours",
              lambda w: f"/providers/practitioners/{_practitioner(w)}/hours",
              page(200, provider_owner=200, provider_staff=200)),
    RouteCase("POST", "/providers/practitioners/<int:practitioner_id>/hours",
              lambda w: f"/providers/practitioners/{_practitioner(w)}/hours",
              page(302, provider_owner=302, provider_staff=302),
              body=lambda w: WEEK_FORM),
    RouteCase("POST", "/providers/rules/<int:rule_id>/delete",
              lambda w: f"/providers/rules/{w.rule.id}/delete",
              page(302, provider_owner=302, provider_staff=302)),
    RouteCase("POST", "/providers/practitioners/<int:practitioner_id>/exceptions",
              lambda w: f"/providers/practitioners/{_practitioner(w)}/exceptions",
              page(302, provider_owner=302, provider_staff=302),
              body=lambda w: {"kind": "closed", "happens_on": "2026-12-02"}),
    RouteCase("POST", "/providers/exceptions/<int:exception_id>/cancel",
              lambda w: f"/providers/exceptions/{w.exception.id}/cancel",
              page(302, provider_owner=302, provider_staff=302)),
    # -- verification pages
    RouteCase("GET", "/review/providers", lambda w: "/review/providers",
              signed_in(403, anonymous=LOGIN, committee=200, other_park_committee=200,
                        platform_admin=200)),
    RouteCase("POST", "/review/providers/<int:provider_id>",
              lambda w: f"/review/providers/{_provider(w)}",
              page(302, committee=302, provider_owner=403, provider_staff=403),
              body=lambda w: {"decision": "approve"}),
    RouteCase("POST", "/review/practitioners/<int:practitioner_id>",
              lambda w: f"/review/practitioners/{_practitioner(w)}",
              page(302, committee=302, provider_owner=403, provider_staff=403),
              body=lambda w: {"decision": "approve"}),
    RouteCase("GET", "/providers/<int:provider_id>/credentials",
              lambda w: f"/providers/{_provider(w)}/credentials",
              page(200, provider_owner=200, provider_staff=200)),
    RouteCase("POST", "/providers/<int:provider_id>/credentials",
              lambda w: f"/providers/{_provider(w)}/credentials",
              page(400, provider_owner=400, provider_staff=403), body=lambda w: {},
              note="allowed actors reach the form check: no document was sent"),
    RouteCase("GET", "/providers/credentials/<int:credential_id>/document",
              lambda w: f"/providers/credentials/{w.credential.id}/document",
              page(200, **READERS)),
    RouteCase("POST", "/review/credentials/<int:credential_id>",
              lambda w: f"/review/credentials/{w.credential.id}",
              page(302, committee=302, provider_owner=403, provider_staff=403),
              body=lambda w: {"decision": "approve"}),
    # -- calendar feeds and busy time
    RouteCase("POST", "/providers/practitioners/<int:practitioner_id>/feed",
              lambda w: f"/providers/practitioners/{_practitioner(w)}/feed",
              page(302, provider_owner=302, provider_staff=302)),
    RouteCase("POST", "/providers/practitioners/<int:practitioner_id>/feed/revoke",
              lambda w: f"/providers/practitioners/{_practitioner(w)}/feed/revoke",
              page(302, provider_owner=302, provider_staff=302)),
    RouteCase("POST", "/providers/<int:provider_id>/feed",
              lambda w: f"/providers/{_provider(w)}/feed",
              page(302, provider_owner=302, provider_staff=403)),
    RouteCase("POST", "/providers/<int:provider_id>/feed/revoke",
              lambda w: f"/providers/{_provider(w)}/feed/revoke",
              page(302, provider_owner=302, provider_staff=403)),
    RouteCase("GET", "/feeds/practitioners/<token>.ics",
              lambda w: f"/feeds/practitioners/{w.feed_token}.ics", everyone(200),
              note="the secret in the URL is the authorisation"),
    RouteCase("GET", "/feeds/providers/<token>.ics",
              lambda w: f"/feeds/providers/{w.provider_feed_token}.ics", everyone(200)),
    RouteCase("POST", "/providers/practitioners/<int:practitioner_id>/busy",
              lambda w: f"/providers/practitioners/{_practitioner(w)}/busy",
              page(400, provider_owner=400, provider_staff=400), body=lambda w: {},
              note="allowed actors reach the form check: no file was sent"),
    RouteCase("GET", "/providers/practitioners/<int:practitioner_id>/busy/imports/<int:job_id>",
              lambda w: f"/providers/practitioners/{_practitioner(w)}/busy/imports/"
                        f"{w.busy_job.id}",
              page(200, provider_owner=200, provider_staff=200)),
    RouteCase("POST", "/providers/practitioners/<int:practitioner_id>/busy-calendar",
              lambda w: f"/providers/practitioners/{_practitioner(w)}/busy-calendar",
              page(302, provider_owner=302, provider_staff=302),
              body=lambda w: {"busy_calendar_url": "https://calendar.example.com/a.ics"}),
    # -- API: catalogue
    RouteCase("GET", "/api/v1/providers", lambda w: "/api/v1/providers",
              signed_in(200, anonymous=401)),
    RouteCase("GET", "/api/v1/providers/<int:provider_id>",
              lambda w: f"/api/v1/providers/{_provider(w)}", SEEN_BY_PARK),
    RouteCase("GET", "/api/v1/services/<int:service_id>",
              lambda w: f"/api/v1/services/{_service(w)}", SEEN_BY_PARK),
    RouteCase("GET", "/api/v1/services/<int:service_id>/slots",
              lambda w: f"/api/v1/services/{_service(w)}/slots"
                        "?from=2026-12-01T00:00:00%2B08:00&to=2026-12-08T00:00:00%2B08:00",
              SEEN_BY_PARK),
    # -- API: provider side
    RouteCase("PUT", "/api/v1/providers/<int:provider_id>/profile",
              lambda w: f"/api/v1/providers/{_provider(w)}/profile",
              api(200, provider_owner=200, provider_staff=403),
              body=lambda w: {"categories": ["tcm"]}),
    RouteCase("POST", "/api/v1/providers/<int:provider_id>/practitioners",
              lambda w: f"/api/v1/providers/{_provider(w)}/practitioners",
              api(201, provider_owner=201, provider_staff=403),
              body=lambda w: {"name_zh": "李医生", "name_en": "Dr Li"}),
    RouteCase("PUT", "/api/v1/practitioners/<int:practitioner_id>",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}",
              api(200, provider_owner=200, provider_staff=403),
              body=lambda w: {"name_zh": "王医生", "name_en": "Dr Wang"}),
    RouteCase("POST", "/api/v1/providers/<int:provider_id>/services",
              lambda w: f"/api/v1/providers/{_provider(w)}/services",
              api(201, provider_owner=201, provider_staff=403),
              body=lambda w: SERVICE_JSON),
    RouteCase("PUT", "/api/v1/services/<int:service_id>",
              lambda w: f"/api/v1/services/{_service(w)}",
              api(200, provider_owner=200, provider_staff=403),
              body=lambda w: SERVICE_JSON),
    RouteCase("GET", "/api/v1/practitioners/<int:practitioner_id>/rules",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/rules",
              api(200, provider_owner=200, provider_staff=200)),
    RouteCase("POST", "/api/v1/practitioners/<int:practitioner_id>/rules",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/rules",
              api(201, provider_owner=201, provider_staff=201),
              body=lambda w: SATURDAY_RULE),
    RouteCase("GET", "/api/v1/practitioners/<int:practitioner_id>/weekly-hours",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/weekly-hours",
              api(200, provider_owner=200, provider_staff=200)),
    RouteCase("PUT", "/api/v1/practitioners/<int:practitioner_id>/weekly-hours",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/weekly-hours",
              api(200, provider_owner=200, provider_staff=200),
              body=lambda w: WEEK_JSON),
    RouteCase("DELETE", "/api/v1/rules/<int:rule_id>",
              lambda w: f"/api/v1/rules/{w.rule.id}",
              api(204, provider_owner=204, provider_staff=204)),
    RouteCase("GET", "/api/v1/practitioners/<int:practitioner_id>/exceptions",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/exceptions",
              api(200, provider_owner=200, provider_staff=200)),
    RouteCase("POST", "/api/v1/practitioners/<int:practitioner_id>/exceptions",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/exceptions",
              api(201, provider_owner=201, provider_staff=201),
              body=lambda w: {"kind": "closed", "happens_on": "2026-12-03"}),
    RouteCase("DELETE", "/api/v1/exceptions/<int:exception_id>",
              lambda w: f"/api/v1/exceptions/{w.exception.id}",
              api(204, provider_owner=204, provider_staff=204)),
    RouteCase("POST", "/api/v1/providers/<int:provider_id>/review",
              lambda w: f"/api/v1/providers/{_provider(w)}/review",
              api(200, **REVIEWERS), body=lambda w: {"decision": "approve"}),
    RouteCase("GET", "/api/v1/providers/<int:provider_id>/credentials",
              lambda w: f"/api/v1/providers/{_provider(w)}/credentials", api(200, **READERS)),
    RouteCase("POST", "/api/v1/credentials/<int:credential_id>/review",
              lambda w: f"/api/v1/credentials/{w.credential.id}/review",
              api(200, committee=200, provider_owner=403, provider_staff=403),
              body=lambda w: {"decision": "approve"}),
    RouteCase("POST", "/api/v1/practitioners/<int:practitioner_id>/review",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/review",
              api(200, **REVIEWERS), body=lambda w: {"decision": "approve"}),
    # -- API: the provider pages' actions (issue 19's parity)
    RouteCase("POST", "/api/v1/providers/<int:provider_id>/credentials",
              lambda w: f"/api/v1/providers/{_provider(w)}/credentials",
              api(201, provider_owner=201, provider_staff=403), body=lambda w: CREDENTIAL_JSON),
    RouteCase("GET", "/api/v1/credentials/<int:credential_id>/document",
              lambda w: f"/api/v1/credentials/{w.credential.id}/document", api(200, **READERS)),
    RouteCase("POST", "/api/v1/providers/<int:provider_id>/photos",
              lambda w: f"/api/v1/providers/{_provider(w)}/photos",
              api(422, provider_owner=422, provider_staff=403),
              body=lambda w: {"content_base64": base64.b64encode(b"not a photo").decode()},
              note="allowed actors reach the photo's check (it is not an image)"),
    RouteCase("DELETE", "/api/v1/photos/<int:photo_id>",
              lambda w: f"/api/v1/photos/{w.photo.id}",
              api(204, provider_owner=204, provider_staff=403)),
    RouteCase("POST", "/api/v1/providers/<int:provider_id>/calendar-feed",
              lambda w: f"/api/v1/providers/{_provider(w)}/calendar-feed",
              api(201, provider_owner=201, provider_staff=403)),
    RouteCase("DELETE", "/api/v1/providers/<int:provider_id>/calendar-feed",
              lambda w: f"/api/v1/providers/{_provider(w)}/calendar-feed",
              api(204, provider_owner=204, provider_staff=403)),
    RouteCase("POST", "/api/v1/practitioners/<int:practitioner_id>/calendar-feed",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/calendar-feed",
              api(201, provider_owner=201, provider_staff=201)),
    RouteCase("DELETE", "/api/v1/practitioners/<int:practitioner_id>/calendar-feed",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/calendar-feed",
              api(204, provider_owner=204, provider_staff=204)),
    RouteCase("POST", "/api/v1/practitioners/<int:practitioner_id>/busy-imports",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/busy-imports",
              api(422, provider_owner=422, provider_staff=422),
              body=lambda w: {"calendar": "not a calendar"},
              note="allowed actors reach the calendar's check"),
    RouteCase("PUT", "/api/v1/practitioners/<int:practitioner_id>/busy-calendar",
              lambda w: f"/api/v1/practitioners/{_practitioner(w)}/busy-calendar",
              api(200, provider_owner=200, provider_staff=200),
              body=lambda w: {"url": "https://calendar.example.com/a.ics"}),
    # -- the park's holiday calendar (the platform admin keeps it; everyone reads it)
    RouteCase("GET", "/admin/holidays", lambda w: "/admin/holidays",
              signed_in(403, anonymous=LOGIN, platform_admin=200)),
    RouteCase("POST", "/admin/holidays", lambda w: "/admin/holidays",
              signed_in(403, anonymous=LOGIN, platform_admin=302),
              body=lambda w: {"year": "2027", "notice": "2027-01-01 休 元旦"}),
    RouteCase("POST", "/admin/holidays/<int:year>/remove",
              lambda w: "/admin/holidays/2027/remove",
              signed_in(403, anonymous=LOGIN, platform_admin=302)),
    RouteCase("GET", "/api/v1/holidays/<int:year>", lambda w: "/api/v1/holidays/2026",
              signed_in(200, anonymous=401)),
    RouteCase("PUT", "/api/v1/holidays/<int:year>", lambda w: "/api/v1/holidays/2027",
              signed_in(403, anonymous=401, platform_admin=200),
              body=lambda w: {"notice": "2027-01-01 休 元旦"}),
    RouteCase("DELETE", "/api/v1/holidays/<int:year>", lambda w: "/api/v1/holidays/2027",
              signed_in(403, anonymous=401, platform_admin=204)),
]
