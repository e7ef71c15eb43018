"""The providers package's refusals.

The world's provider has a practitioner (the staff account) with a rule, an exception, a
credential waiting for review and a service; the park's committee reviews."""

from __future__ import annotations

from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from providers import verification
from providers.models import Credential
from tests.authz.harness import World
from tests.authz.matrix_providers import (
    SATURDAY_RULE,
    SERVICE_FORM,
    SERVICE_JSON,
    WEEK_FORM,
    WEEK_JSON,
)
from tests.refusals.harness import refusal

PR = "/providers/practitioners/<int:practitioner_id>"
API_PR = "/api/v1/practitioners/<int:practitioner_id>"
BACKWARDS_RULE = SATURDAY_RULE | {"start_time": "12:00", "end_time": "09:00"}


def credential_reviewed(w: World) -> None:
    verification.review_credential(db.session.get(Credential, w.credential.id),
                                   actor=db.session.get(User, w.users["committee"].id),
                                   approve=True, reason="", now=utcnow())


REFUSALS = [
    refusal("POST", "/admin/holidays", "platform_admin", 422, "a day that does not exist",
            body=lambda w: {"year": "2027", "notice": "2027-02-30 休 春节"}),
    refusal("PUT", "/api/v1/holidays/<int:year>", "platform_admin", 422,
            "a Monday entered as a make-up working day",
            body=lambda w: {"notice": "2027-01-01 休 元旦\n2027-01-04 班 调休"}),
    refusal("POST", "/providers/<int:provider_id>/profile", "provider_owner", 422,
            "a photo link that is not a web address",
            body=lambda w: {"photo_urls": "javascript:alert(1)"}),
    refusal("PUT", "/api/v1/providers/<int:provider_id>/profile", "provider_owner", 422,
            "a category that does not exist", body=lambda w: {"categories": ["astrology"]}),
    refusal("POST", "/providers/<int:provider_id>/practitioners", "provider_owner", 302,
            "no name", body=lambda w: {}),
    refusal("POST", "/api/v1/providers/<int:provider_id>/practitioners", "provider_owner",
            422, "no name", body=lambda w: {"name_zh": "", "name_en": ""}),
    refusal("PUT", API_PR, "provider_owner", 422, "no name",
            body=lambda w: {"name_zh": "", "name_en": ""}),
    refusal("POST", "/providers/<int:provider_id>/services/new", "provider_owner", 400,
            "no duration", body=lambda w: SERVICE_FORM | {"duration_minutes": "0"}),
    refusal("POST", "/providers/services/<int:service_id>/edit", "provider_owner", 400,
            "no duration", body=lambda w: SERVICE_FORM | {"duration_minutes": "0"}),
    refusal("POST", "/api/v1/providers/<int:provider_id>/services", "provider_owner", 422,
            "no duration", body=lambda w: SERVICE_JSON | {"duration_minutes": 0}),
    refusal("PUT", "/api/v1/services/<int:service_id>", "provider_owner", 422,
            "no duration", body=lambda w: SERVICE_JSON | {"duration_minutes": 0}),
    refusal("POST", f"{PR}/rules", "provider_owner", 422, "ends before it starts",
            body=lambda w: BACKWARDS_RULE),
    refusal("POST", f"{API_PR}/rules", "provider_owner", 422, "ends before it starts",
            body=lambda w: BACKWARDS_RULE),
    refusal("POST", f"{PR}/hours", "provider_owner", 422,
            "a Saturday range that ends before it starts",
            body=lambda w: WEEK_FORM | {"saturday-0-end": "08:00"}),
    refusal("POST", f"{PR}/hours", "provider_owner", 400, "a day switched on with no range",
            body=lambda w: WEEK_FORM | {"saturday-0-start": "", "saturday-0-end": ""}),
    refusal("PUT", f"{API_PR}/weekly-hours", "provider_owner", 422,
            "two Saturday ranges that overlap",
            body=lambda w: WEEK_JSON | {"days": {"saturday": [
                {"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]}}),
    refusal("PUT", f"{API_PR}/weekly-hours", "provider_owner", 422,
            "a day off in the past", body=lambda w: WEEK_JSON | {
                "overrides": [{"day": "2026-01-05", "kind": "off"}]}),
    refusal("POST", f"{PR}/exceptions", "provider_owner", 400, "no day",
            body=lambda w: {"kind": "closed"}),
    refusal("POST", f"{API_PR}/exceptions", "provider_owner", 422, "no such kind",
            body=lambda w: {"kind": "holiday-ish", "happens_on": "2026-12-03"}),
    refusal("POST", f"{PR}/busy-calendar", "provider_owner", 422, "not an https address",
            body=lambda w: {"busy_calendar_url": "ftp://calendar.example.com/a.ics"}),
    refusal("POST", "/review/credentials/<int:credential_id>", "committee", 302,
            "reviewed already", arrange=credential_reviewed,
            body=lambda w: {"decision": "approve"}),
    refusal("POST", "/review/credentials/<int:credential_id>", "committee", 302,
            "rejected without a reason", body=lambda w: {"decision": "reject"}),
    refusal("POST", "/api/v1/credentials/<int:credential_id>/review", "committee", 409,
            "reviewed already", arrange=credential_reviewed,
            body=lambda w: {"decision": "approve"}),
    refusal("POST", "/review/providers/<int:provider_id>", "committee", 302,
            "no decision: nothing changes", body=lambda w: {}, flashes=False),
    refusal("POST", "/review/practitioners/<int:practitioner_id>", "committee", 302,
            "no decision: nothing changes", body=lambda w: {}, flashes=False),
    refusal("POST", "/api/v1/providers/<int:provider_id>/review", "committee", 422,
            "no such decision", body=lambda w: {"decision": "maybe"}),
    refusal("POST", f"{API_PR}/review", "committee", 422, "no such decision",
            body=lambda w: {"decision": "maybe"}),
    refusal("POST", "/providers/<int:provider_id>/invitations", "provider_owner", 422,
            "not a login", body=lambda w: {"login": "no"}),
    refusal("PUT", f"{API_PR}/busy-calendar", "provider_owner", 422, "not an https address",
            body=lambda w: {"url": "ftp://calendar.example.com/a.ics"}),
    refusal("POST", "/api/v1/providers/<int:provider_id>/credentials", "provider_owner", 422,
            "a file that is neither a PDF nor a picture",
            body=lambda w: {"licence_type": "执业证书", "licence_number": "A-1",
                            "issuer": "卫健委", "expires_on": "2030-01-01",
                            "content_base64": "bm90IGEgZG9jdW1lbnQgYXQgYWxs"}),
]

CANNOT_REFUSE: dict[tuple[str, str], str] = {
    ("POST", "/admin/holidays/<int:year>/remove"):
        "removing a year that was never entered changes nothing; only authorisation refuses it",
    ("DELETE", "/api/v1/holidays/<int:year>"):
        "removing a year that was never entered changes nothing; only authorisation refuses it",
    ("POST", "/providers/rules/<int:rule_id>/delete"): "only authorisation refuses it",
    ("DELETE", "/api/v1/rules/<int:rule_id>"): "only authorisation refuses it",
    ("POST", "/providers/exceptions/<int:exception_id>/cancel"):
        "withdrawing again changes nothing; only authorisation refuses it",
    ("DELETE", "/api/v1/exceptions/<int:exception_id>"):
        "withdrawing again changes nothing; only authorisation refuses it",
    ("POST", "/providers/photos/<int:photo_id>/delete"): "only authorisation refuses it",
    ("DELETE", "/api/v1/photos/<int:photo_id>"): "only authorisation refuses it",
    ("POST", "/api/v1/providers/<int:provider_id>/calendar-feed"):
        "always issues a new address (replacing the old)",
    ("DELETE", "/api/v1/providers/<int:provider_id>/calendar-feed"):
        "revoking no address is not an error",
    ("POST", f"{API_PR}/calendar-feed"): "always issues a new address (replacing the old)",
    ("DELETE", f"{API_PR}/calendar-feed"): "revoking no address is not an error",
    ("POST", f"{PR}/feed"): "always issues a new address (replacing the old)",
    ("POST", f"{PR}/feed/revoke"): "revoking no address is not an error",
    ("POST", "/providers/<int:provider_id>/feed"):
        "always issues a new address (replacing the old)",
    ("POST", "/providers/<int:provider_id>/feed/revoke"): "revoking no address is not an error",
}
