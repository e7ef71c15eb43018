"""API parity: everything a person can do or read on a page, a client can do or read under
/api/v1 (issue 19 part 6).

``PARITY`` lists every route of the app outside /api/v1, method by method, with the API
operations that do the same, or an ``Exempt`` with the reason it has none. A route the app
gains without a line here fails ``test_every_page_route_is_listed`` by name (the way the
authorisation matrix fails on an unlisted route), and an operation named here that the app
or its OpenAPI document does not have fails the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.api.openapi import _openapi_path


@dataclass(frozen=True)
class Exempt:
    reason: str


def api(*operations: str) -> tuple[tuple[str, str], ...]:
    """``api("POST /api/v1/x", "GET /api/v1/y")`` → ((method, rule), ...)."""
    return tuple(tuple(op.split(" ", 1)) for op in operations)  # type: ignore[misc]


SESSION_ONLY = Exempt("a browser session's own state (a token carries its user, not a "
                      "session; the API's caller has no cookie to keep it in)")
FILE_FEED = Exempt("a calendar/news reader's feed address (secret or public), itself a "
                   "machine-readable format; issued and revoked through the API")
PAYMENT_RETURN = Exempt("where the payment page sends the browser back; an API client polls "
                        "the payment resource instead")
PUBLIC_FILE = Exempt("an image or file served to the pages; the API has its own address "
                     "for the same bytes")
OPERATIONS = Exempt("operators' probes (health, readiness, Prometheus), not a person's "
                    "capability")
JOB_PAGE = Exempt("the progress page of a background job; the API answers 202 with the job "
                  "and GET /api/v1/jobs/{job_id} follows it")

#: (method, rule of the page) → the API operations that do the same, or why none.
PARITY: dict[tuple[str, str], tuple[tuple[str, str], ...] | Exempt] = {
    # -- accounts, sign-in, privacy -----------------------------------------------------
    ("GET", "/"): api("GET /api/v1/me", "GET /api/v1/bookings", "GET /api/v1/catalog/search",
                      "GET /api/v1/me/health/recommendations"),
    ("GET", "/account"): api("GET /api/v1/me"),
    ("POST", "/account"): api("PATCH /api/v1/me"),
    ("GET", "/account/activity"): api("GET /api/v1/me/audit-events"),
    ("GET", "/account/delete"): api("GET /api/v1/me"),
    ("POST", "/account/delete"): api("DELETE /api/v1/me"),
    ("GET", "/account/export"): api("GET /api/v1/me/export"),
    ("GET", "/account/export.json"): api("GET /api/v1/me/export"),
    ("POST", "/account/role"): SESSION_ONLY,
    ("GET", "/account/tokens"): api("GET /api/v1/tokens"),
    ("POST", "/account/tokens"): api("POST /api/v1/tokens"),
    ("POST", "/account/tokens/<int:token_id>/revoke"): api("DELETE /api/v1/tokens/<int:token_id>"),
    ("GET", "/login"): Exempt("the sign-in form; POST /api/v1/tokens with login and password "
                              "is the API's sign-in"),
    ("POST", "/login"): api("POST /api/v1/tokens"),
    ("POST", "/logout"): api("DELETE /api/v1/tokens/<int:token_id>"),
    ("POST", "/locale"): api("PATCH /api/v1/me"),
    ("GET", "/signup"): Exempt("the sign-up form itself"),
    ("POST", "/signup"): api("POST /api/v1/signup"),
    ("GET", "/invitations/<token>"): api("POST /api/v1/invitations/accept"),
    ("POST", "/invitations/<token>"): api("POST /api/v1/invitations/accept"),
    ("GET", "/password/forgot"): Exempt("account recovery by e-mailed link, for a person who "
                                        "cannot sign in and so holds no token"),
    ("POST", "/password/forgot"): Exempt("account recovery by e-mailed link (see GET)"),
    ("GET", "/password/reset/<token>"): Exempt("the e-mailed link's page (see /password/forgot)"),
    ("POST", "/password/reset/<token>"): Exempt("the e-mailed link's page (see /password/forgot)"),
    ("GET", "/admin/audit"): api("GET /api/v1/audit-events"),
    ("GET", "/admin/holidays"): api("GET /api/v1/holidays/<int:year>"),
    ("POST", "/admin/holidays"): api("PUT /api/v1/holidays/<int:year>"),
    ("POST", "/admin/holidays/<int:year>/remove"): api("DELETE /api/v1/holidays/<int:year>"),
    ("GET", "/admin/invitations"): api("GET /api/v1/invitations"),
    ("POST", "/admin/invitations"): api("POST /api/v1/invitations"),
    ("GET", "/enterprises/<int:enterprise_id>/invitations"):
        api("GET /api/v1/enterprises/<int:enterprise_id>/invitations"),
    ("POST", "/enterprises/<int:enterprise_id>/invitations"):
        api("POST /api/v1/enterprises/<int:enterprise_id>/invitations"),
    ("GET", "/providers/<int:provider_id>/invitations"):
        api("GET /api/v1/providers/<int:provider_id>/invitations"),
    ("POST", "/providers/<int:provider_id>/invitations"):
        api("POST /api/v1/providers/<int:provider_id>/invitations"),
    # -- bookings --------------------------------------------------------------------------
    ("GET", "/bookings"): api("GET /api/v1/bookings", "GET /api/v1/waitlist"),
    ("GET", "/bookings/<int:booking_id>"): api("GET /api/v1/bookings/<int:booking_id>"),
    ("POST", "/bookings/<int:booking_id>/attendance"):
        api("POST /api/v1/bookings/<int:booking_id>/attendance"),
    ("GET", "/bookings/<int:booking_id>/calendar.ics"):
        Exempt("the booking as an .ics file for a calendar app; GET /api/v1/bookings/"
               "{booking_id} has the same times and place"),
    ("GET", "/bookings/<int:booking_id>/cancel"):
        api("GET /api/v1/bookings/<int:booking_id>/cancellation"),
    ("POST", "/bookings/<int:booking_id>/cancel"):
        api("POST /api/v1/bookings/<int:booking_id>/cancel"),
    ("GET", "/bookings/<int:booking_id>/checkout"):
        api("GET /api/v1/bookings/<int:booking_id>/quote"),
    ("POST", "/bookings/<int:booking_id>/checkout"):
        api("POST /api/v1/bookings/<int:booking_id>/checkout"),
    ("POST", "/bookings/<int:booking_id>/checkout/release"):
        api("POST /api/v1/bookings/<int:booking_id>/cancel"),
    ("GET", "/bookings/<int:booking_id>/checkout/return"): PAYMENT_RETURN,
    ("POST", "/bookings/<int:booking_id>/reschedule"):
        api("POST /api/v1/bookings/<int:booking_id>/reschedule"),
    ("GET", "/bookings/<int:booking_id>/review"): api("GET /api/v1/bookings/<int:booking_id>"),
    ("POST", "/bookings/<int:booking_id>/review"):
        api("POST /api/v1/bookings/<int:booking_id>/review"),
    ("POST", "/bookings/<int:booking_id>/share"):
        api("POST /api/v1/bookings/<int:booking_id>/share"),
    ("POST", "/bookings/calendar-feed"): api("POST /api/v1/me/calendar-feed"),
    ("POST", "/bookings/calendar-feed/revoke"): api("DELETE /api/v1/me/calendar-feed"),
    ("GET", "/feeds/me/<token>.ics"): FILE_FEED,
    ("GET", "/series/<int:series_id>"): api("GET /api/v1/series/<int:series_id>"),
    ("POST", "/series/<int:series_id>/cancel"): api("POST /api/v1/series/<int:series_id>/cancel"),
    ("GET", "/series/<int:series_id>/pay"): api("GET /api/v1/series/<int:series_id>"),
    ("POST", "/series/<int:series_id>/pay"): api("POST /api/v1/series/<int:series_id>/checkout"),
    ("GET", "/services/<int:service_id>/book"):
        api("GET /api/v1/services/<int:service_id>/slots"),
    ("POST", "/services/<int:service_id>/book"): api("POST /api/v1/bookings"),
    ("GET", "/services/<int:service_id>/book/confirm"):
        api("GET /api/v1/services/<int:service_id>/slots"),
    ("GET", "/services/<int:service_id>/series"): api("POST /api/v1/series/preview"),
    ("POST", "/services/<int:service_id>/series"): api("POST /api/v1/series"),
    ("POST", "/services/<int:service_id>/waitlist"): api("POST /api/v1/waitlist"),
    ("POST", "/waitlist/<int:entry_id>/accept"): api("POST /api/v1/waitlist/<int:entry_id>/accept"),
    ("POST", "/waitlist/<int:entry_id>/leave"): api("POST /api/v1/waitlist/<int:entry_id>/leave"),
    # -- marketplace -----------------------------------------------------------------------
    ("GET", "/catalogue"): api("GET /api/v1/catalog/search"),
    ("GET", "/me"): api("GET /api/v1/me"),
    ("GET", "/providers/<int:provider_id>"): api("GET /api/v1/providers/<int:provider_id>"),
    ("GET", "/services/<int:service_id>"): api("GET /api/v1/services/<int:service_id>",
                                               "GET /api/v1/services/<int:service_id>/reviews"),
    ("POST", "/reviews/<int:review_id>/hide"): api("POST /api/v1/reviews/<int:review_id>/hide"),
    ("POST", "/reviews/<int:review_id>/reply"): api("POST /api/v1/reviews/<int:review_id>/reply"),
    # -- benefits --------------------------------------------------------------------------
    ("GET", "/me/budget"): api("GET /api/v1/me/budget"),
    ("GET", "/enterprises/<int:enterprise_id>/programmes"):
        api("GET /api/v1/enterprises/<int:enterprise_id>/programmes"),
    ("POST", "/enterprises/<int:enterprise_id>/programmes"):
        api("POST /api/v1/enterprises/<int:enterprise_id>/programmes"),
    ("GET", "/enterprises/<int:enterprise_id>/programmes/<int:programme_id>"):
        api("GET /api/v1/enterprises/<int:enterprise_id>/programmes/<int:programme_id>"),
    ("POST", "/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/allocate"):
        api("POST /api/v1/enterprises/<int:enterprise_id>/programmes/<int:programme_id>"
            "/allocations"),
    ("GET", "/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/edit"):
        api("GET /api/v1/enterprises/<int:enterprise_id>/programmes/<int:programme_id>"),
    ("POST", "/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/edit"):
        api("PUT /api/v1/enterprises/<int:enterprise_id>/programmes/<int:programme_id>",
            "PATCH /api/v1/enterprises/<int:enterprise_id>/programmes/<int:programme_id>"),
    ("POST", "/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/funding"):
        api("POST /api/v1/enterprises/<int:enterprise_id>/programmes/<int:programme_id>"
            "/funding"),
    ("GET", "/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/report"):
        api("GET /api/v1/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/report"),
    ("GET", "/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/report.csv"):
        api("GET /api/v1/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/report"),
    ("POST", "/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/top-up"):
        api("POST /api/v1/enterprises/<int:enterprise_id>/programmes/<int:programme_id>"
            "/top-ups"),
    ("GET", "/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/top-ups/"
            "<int:top_up_id>/return"): PAYMENT_RETURN,
    ("GET", "/enterprises/<int:enterprise_id>/roster"):
        api("GET /api/v1/enterprises/<int:enterprise_id>/roster"),
    ("POST", "/enterprises/<int:enterprise_id>/roster"):
        api("POST /api/v1/enterprises/<int:enterprise_id>/roster",
            "POST /api/v1/enterprises/<int:enterprise_id>/roster/imports"),
    ("POST", "/enterprises/<int:enterprise_id>/roster/<int:entry_id>"):
        api("PATCH /api/v1/enterprises/<int:enterprise_id>/roster/<int:entry_id>"),
    ("POST", "/enterprises/<int:enterprise_id>/roster/<int:entry_id>/deactivate"):
        api("POST /api/v1/enterprises/<int:enterprise_id>/roster/<int:entry_id>/deactivate"),
    ("GET", "/enterprises/<int:enterprise_id>/roster/imports/<int:job_id>"): JOB_PAGE,
    ("GET", "/providers/<int:provider_id>/statement"):
        api("GET /api/v1/providers/<int:provider_id>/statements/<month>"),
    ("GET", "/providers/<int:provider_id>/statement.csv"):
        api("GET /api/v1/providers/<int:provider_id>/statements/<month>"),
    ("GET", "/tickets/<int:registration_id>/pay"):
        api("GET /api/v1/registrations/<int:registration_id>/payment"),
    ("POST", "/tickets/<int:registration_id>/pay"):
        api("POST /api/v1/registrations/<int:registration_id>/pay"),
    # -- prevention (check-up campaigns) ---------------------------------------------------
    ("GET", "/campaign-checkups/<int:checkup_id>/results"):
        api("GET /api/v1/providers/<int:provider_id>/campaign-checkups"),
    ("POST", "/campaign-checkups/<int:checkup_id>/results"):
        api("POST /api/v1/campaign-checkups/<int:checkup_id>/results"),
    ("GET", "/campaigns/<int:campaign_id>"): api("GET /api/v1/campaigns/<int:campaign_id>"),
    ("POST", "/campaigns/<int:campaign_id>/change"): api("PUT /api/v1/campaigns/<int:campaign_id>"),
    ("POST", "/campaigns/<int:campaign_id>/close"):
        api("POST /api/v1/campaigns/<int:campaign_id>/close"),
    ("POST", "/campaigns/<int:campaign_id>/nudge"):
        api("POST /api/v1/campaigns/<int:campaign_id>/nudges"),
    ("GET", "/enterprises/<int:enterprise_id>/campaigns"):
        api("GET /api/v1/enterprises/<int:enterprise_id>/campaigns"),
    ("POST", "/enterprises/<int:enterprise_id>/campaigns"):
        api("POST /api/v1/enterprises/<int:enterprise_id>/campaigns"),
    ("GET", "/me/checkups"): api("GET /api/v1/me/checkup-campaigns"),
    ("GET", "/me/checkups/<int:checkup_id>"): api("GET /api/v1/me/checkups/<int:checkup_id>"),
    ("POST", "/me/checkups/<int:checkup_id>/consent"):
        api("PUT /api/v1/me/checkups/<int:checkup_id>/consent"),
    ("GET", "/me/checkups/campaigns/<int:campaign_id>/book"):
        api("GET /api/v1/me/checkup-campaigns/<int:campaign_id>/slots"),
    ("POST", "/me/checkups/campaigns/<int:campaign_id>/book"):
        api("POST /api/v1/me/checkup-campaigns/<int:campaign_id>/bookings"),
    ("GET", "/providers/<int:provider_id>/campaign-checkups"):
        api("GET /api/v1/providers/<int:provider_id>/campaign-checkups"),
    # -- care (family physician teams) -----------------------------------------------------
    ("GET", "/care/"): api("GET /api/v1/me/care/agreements", "GET /api/v1/care/teams"),
    ("GET", "/care/agreements/<int:agreement_id>"):
        api("GET /api/v1/care/agreements/<int:agreement_id>",
            "GET /api/v1/care/agreements/<int:agreement_id>/messages",
            "GET /api/v1/care/agreements/<int:agreement_id>/measurements",
            "GET /api/v1/care/agreements/<int:agreement_id>/shared-health"),
    ("POST", "/care/agreements/<int:agreement_id>/end"):
        api("POST /api/v1/care/agreements/<int:agreement_id>/end"),
    ("POST", "/care/agreements/<int:agreement_id>/follow-ups"):
        api("POST /api/v1/care/agreements/<int:agreement_id>/follow-ups"),
    ("POST", "/care/agreements/<int:agreement_id>/measurements"):
        api("POST /api/v1/care/agreements/<int:agreement_id>/measurements"),
    ("POST", "/care/agreements/<int:agreement_id>/messages"):
        api("POST /api/v1/care/agreements/<int:agreement_id>/messages"),
    ("GET", "/care/agreements/<int:agreement_id>/pay"):
        api("GET /api/v1/care/agreements/<int:agreement_id>/payment"),
    ("POST", "/care/agreements/<int:agreement_id>/pay"):
        api("POST /api/v1/care/agreements/<int:agreement_id>/pay"),
    ("POST", "/care/agreements/<int:agreement_id>/plan"):
        api("PUT /api/v1/care/agreements/<int:agreement_id>/plan"),
    ("POST", "/care/alerts/<int:alert_id>/acknowledge"):
        api("POST /api/v1/care/alerts/<int:alert_id>/acknowledge"),
    ("GET", "/care/enterprises/<int:enterprise_id>/outcomes"):
        api("GET /api/v1/enterprises/<int:enterprise_id>/care/outcomes"),
    ("GET", "/care/enterprises/<int:enterprise_id>/outcomes.csv"):
        api("GET /api/v1/enterprises/<int:enterprise_id>/care/outcomes"),
    ("GET", "/care/enterprises/<int:enterprise_id>/sponsorships"):
        api("GET /api/v1/care/teams"),
    ("POST", "/care/enterprises/<int:enterprise_id>/sponsorships"):
        api("POST /api/v1/enterprises/<int:enterprise_id>/care/sponsorships"),
    ("POST", "/care/follow-ups/<int:follow_up_id>/cancel"):
        api("POST /api/v1/care/follow-ups/<int:follow_up_id>/cancel"),
    ("POST", "/care/follow-ups/<int:follow_up_id>/move"):
        api("POST /api/v1/care/follow-ups/<int:follow_up_id>/move"),
    ("GET", "/care/parks/<int:park_id>/outcomes"):
        api("GET /api/v1/parks/<int:park_id>/care/outcomes"),
    ("GET", "/care/parks/<int:park_id>/outcomes.csv"):
        api("GET /api/v1/parks/<int:park_id>/care/outcomes"),
    ("GET", "/care/providers/<int:provider_id>/patients"):
        api("GET /api/v1/providers/<int:provider_id>/care/patients"),
    ("GET", "/care/providers/<int:provider_id>/teams"): api("GET /api/v1/care/teams"),
    ("POST", "/care/providers/<int:provider_id>/teams"):
        api("POST /api/v1/providers/<int:provider_id>/care/teams"),
    ("GET", "/care/teams/<int:team_id>"): api("GET /api/v1/care/teams"),
    ("POST", "/care/teams/<int:team_id>/sign"):
        api("POST /api/v1/care/teams/<int:team_id>/agreements"),
    # -- health (the employee's own data) --------------------------------------------------
    ("GET", "/me/health/"): api("GET /api/v1/me/health/profile", "GET /api/v1/me/health/flags"),
    ("GET", "/me/health/checkups"): api("GET /api/v1/me/health/checkups"),
    ("POST", "/me/health/checkups"): api("POST /api/v1/me/health/checkups"),
    ("POST", "/me/health/checkups/<int:checkup_id>/delete"):
        api("DELETE /api/v1/me/health/checkups/<int:checkup_id>"),
    ("GET", "/me/health/checkups/import"): api("GET /api/v1/me/health/checkups"),
    ("POST", "/me/health/checkups/import"): api("POST /api/v1/me/health/checkups/import"),
    ("GET", "/me/health/delete"): api("GET /api/v1/me/health/profile"),
    ("POST", "/me/health/delete"): api("DELETE /api/v1/me/health/profile"),
    ("GET", "/me/health/dependants"): api("GET /api/v1/me/health/dependants"),
    ("POST", "/me/health/dependants"): api("POST /api/v1/me/health/dependants"),
    ("POST", "/me/health/dependants/<int:dependant_id>/delete"):
        api("DELETE /api/v1/me/health/dependants/<int:dependant_id>"),
    ("GET", "/me/health/export"): api("GET /api/v1/me/health/export"),
    ("GET", "/me/health/profile"): api("GET /api/v1/me/health/profile"),
    ("POST", "/me/health/profile"): api("PUT /api/v1/me/health/profile"),
    ("GET", "/me/health/questionnaires/<kind>"):
        api("GET /api/v1/me/health/questionnaires/<kind>"),
    ("POST", "/me/health/questionnaires/<kind>"): api("POST /api/v1/me/health/questionnaires"),
    ("GET", "/me/health/recommendations"): api("GET /api/v1/me/health/recommendations"),
    ("GET", "/me/health/sharing"): api("GET /api/v1/me/health/consents",
                                       "GET /api/v1/me/health/access-log"),
    ("POST", "/me/health/sharing"): api("POST /api/v1/me/health/consents"),
    ("POST", "/me/health/sharing/<int:consent_id>/revoke"):
        api("POST /api/v1/me/health/consents/<int:consent_id>/revoke"),
    ("GET", "/providers/<int:provider_id>/health-clients"):
        api("GET /api/v1/providers/<int:provider_id>/health-clients"),
    ("GET", "/providers/<int:provider_id>/health-clients/<int:user_id>"):
        api("GET /api/v1/providers/<int:provider_id>/health-clients/<int:user_id>"),
    # -- park (committee, events, tickets) -------------------------------------------------
    ("GET", "/events"): api("GET /api/v1/events"),
    ("GET", "/events/<int:event_id>"): api("GET /api/v1/events/<int:event_id>"),
    ("GET", "/events/<int:event_id>/cover"): api("GET /api/v1/events/<int:event_id>/cover"),
    ("POST", "/events/<int:event_id>/feedback"):
        api("POST /api/v1/events/<int:event_id>/feedback"),
    ("POST", "/events/sessions/<int:session_id>/register"):
        api("POST /api/v1/sessions/<int:session_id>/registrations"),
    ("GET", "/my-events"): api("GET /api/v1/registrations"),
    ("GET", "/tickets/<int:registration_id>"):
        api("GET /api/v1/registrations/<int:registration_id>",
            "GET /api/v1/registrations/<int:registration_id>/ticket.svg"),
    ("GET", "/tickets/<int:registration_id>/certificate.pdf"):
        api("GET /api/v1/registrations/<int:registration_id>/certificate.pdf"),
    ("GET", "/certificates/verify/<number>"): api("GET /api/v1/certificates/<number>"),
    ("POST", "/registrations/<int:registration_id>/accept"):
        api("POST /api/v1/registrations/<int:registration_id>/accept"),
    ("POST", "/registrations/<int:registration_id>/cancel"):
        api("POST /api/v1/registrations/<int:registration_id>/cancel"),
    ("GET", "/park/<int:park_id>/announcements"):
        api("GET /api/v1/parks/<int:park_id>/announcements"),
    ("POST", "/park/<int:park_id>/announcements"):
        api("POST /api/v1/parks/<int:park_id>/announcements"),
    ("GET", "/park/<int:park_id>/events"): api("GET /api/v1/events"),
    ("GET", "/park/<int:park_id>/events/new"): api("GET /api/v1/parks/<int:park_id>/venues"),
    ("POST", "/park/<int:park_id>/events/new"): api("POST /api/v1/parks/<int:park_id>/events"),
    ("GET", "/park/<int:park_id>/reports"): api("GET /api/v1/parks/<int:park_id>/reports"),
    ("GET", "/park/<int:park_id>/reports.csv"): api("GET /api/v1/parks/<int:park_id>/reports"),
    ("GET", "/park/<int:park_id>/venues"): api("GET /api/v1/parks/<int:park_id>/venues"),
    ("POST", "/park/<int:park_id>/venues"): api("POST /api/v1/parks/<int:park_id>/venues"),
    ("GET", "/park/venues/<int:venue_id>/edit"): api("GET /api/v1/parks/<int:park_id>/venues"),
    ("POST", "/park/venues/<int:venue_id>/edit"): api("PATCH /api/v1/venues/<int:venue_id>"),
    ("GET", "/park/events/<int:event_id>"):
        api("GET /api/v1/events/<int:event_id>", "GET /api/v1/events/<int:event_id>/analytics",
            "GET /api/v1/events/<int:event_id>/feedback"),
    ("POST", "/park/events/<int:event_id>"): api("PATCH /api/v1/events/<int:event_id>"),
    ("POST", "/park/events/<int:event_id>/<any(publish, complete, cancel):step>"):
        api("POST /api/v1/events/<int:event_id>/status"),
    ("POST", "/park/events/<int:event_id>/cover"): api("POST /api/v1/events/<int:event_id>/cover"),
    ("POST", "/park/events/<int:event_id>/cover/remove"):
        api("DELETE /api/v1/events/<int:event_id>/cover"),
    ("GET", "/park/events/<int:event_id>/feedback.csv"):
        api("GET /api/v1/events/<int:event_id>/feedback"),
    ("POST", "/park/events/<int:event_id>/sessions"):
        api("POST /api/v1/events/<int:event_id>/sessions"),
    ("GET", "/park/sessions/<int:session_id>/attendance.json"):
        api("GET /api/v1/sessions/<int:session_id>/attendance"),
    ("POST", "/park/sessions/<int:session_id>/cancel"):
        api("POST /api/v1/sessions/<int:session_id>/cancel"),
    ("GET", "/park/sessions/<int:session_id>/checkin"):
        api("GET /api/v1/sessions/<int:session_id>/attendance"),
    ("POST", "/park/sessions/<int:session_id>/checkin"):
        api("POST /api/v1/sessions/<int:session_id>/checkin"),
    ("GET", "/park/sessions/<int:session_id>/edit"): api("GET /api/v1/events/<int:event_id>"),
    ("POST", "/park/sessions/<int:session_id>/edit"):
        api("PUT /api/v1/sessions/<int:session_id>", "PATCH /api/v1/sessions/<int:session_id>"),
    ("POST", "/park/sessions/<int:session_id>/remove"):
        api("DELETE /api/v1/sessions/<int:session_id>"),
    ("POST", "/park/sessions/<int:session_id>/restore"):
        api("POST /api/v1/sessions/<int:session_id>/restore"),
    ("GET", "/parks/<code>/events.atom"): FILE_FEED,
    ("GET", "/parks/<code>/events.ics"): FILE_FEED,
    # -- providers -------------------------------------------------------------------------
    ("GET", "/providers/<int:provider_id>/bookings"):
        api("GET /api/v1/providers/<int:provider_id>/bookings"),
    ("GET", "/providers/<int:provider_id>/credentials"):
        api("GET /api/v1/providers/<int:provider_id>/credentials"),
    ("POST", "/providers/<int:provider_id>/credentials"):
        api("POST /api/v1/providers/<int:provider_id>/credentials"),
    ("GET", "/providers/credentials/<int:credential_id>/document"):
        api("GET /api/v1/credentials/<int:credential_id>/document"),
    ("GET", "/providers/<int:provider_id>/dashboard"):
        api("GET /api/v1/providers/<int:provider_id>",
            "GET /api/v1/providers/<int:provider_id>/bookings"),
    ("POST", "/providers/<int:provider_id>/feed"):
        api("POST /api/v1/providers/<int:provider_id>/calendar-feed"),
    ("POST", "/providers/<int:provider_id>/feed/revoke"):
        api("DELETE /api/v1/providers/<int:provider_id>/calendar-feed"),
    ("GET", "/feeds/practitioners/<token>.ics"): FILE_FEED,
    ("GET", "/feeds/providers/<token>.ics"): FILE_FEED,
    ("POST", "/providers/<int:provider_id>/photos"):
        api("POST /api/v1/providers/<int:provider_id>/photos"),
    ("POST", "/providers/photos/<int:photo_id>/delete"):
        api("DELETE /api/v1/photos/<int:photo_id>"),
    ("GET", "/providers/photos/<int:photo_id>/<any(large, small):size>.<any(webp, jpg):fmt>"):
        PUBLIC_FILE,
    ("POST", "/providers/<int:provider_id>/practitioners"):
        api("POST /api/v1/providers/<int:provider_id>/practitioners"),
    ("GET", "/providers/<int:provider_id>/profile"): api("GET /api/v1/providers/<int:provider_id>"),
    ("POST", "/providers/<int:provider_id>/profile"):
        api("PUT /api/v1/providers/<int:provider_id>/profile"),
    ("GET", "/providers/<int:provider_id>/services/new"):
        api("GET /api/v1/providers/<int:provider_id>"),
    ("POST", "/providers/<int:provider_id>/services/new"):
        api("POST /api/v1/providers/<int:provider_id>/services"),
    ("GET", "/providers/services/<int:service_id>/edit"):
        api("GET /api/v1/services/<int:service_id>"),
    ("POST", "/providers/services/<int:service_id>/edit"):
        api("PUT /api/v1/services/<int:service_id>"),
    ("POST", "/providers/exceptions/<int:exception_id>/cancel"):
        api("DELETE /api/v1/exceptions/<int:exception_id>"),
    ("POST", "/providers/practitioners/<int:practitioner_id>/busy"):
        api("POST /api/v1/practitioners/<int:practitioner_id>/busy-imports"),
    ("GET", "/providers/practitioners/<int:practitioner_id>/busy/imports/<int:job_id>"):
        JOB_PAGE,
    ("POST", "/providers/practitioners/<int:practitioner_id>/busy-calendar"):
        api("PUT /api/v1/practitioners/<int:practitioner_id>/busy-calendar"),
    ("POST", "/providers/practitioners/<int:practitioner_id>/exceptions"):
        api("POST /api/v1/practitioners/<int:practitioner_id>/exceptions"),
    ("POST", "/providers/practitioners/<int:practitioner_id>/feed"):
        api("POST /api/v1/practitioners/<int:practitioner_id>/calendar-feed"),
    ("POST", "/providers/practitioners/<int:practitioner_id>/feed/revoke"):
        api("DELETE /api/v1/practitioners/<int:practitioner_id>/calendar-feed"),
    ("GET", "/providers/practitioners/<int:practitioner_id>/hours"):
        api("GET /api/v1/practitioners/<int:practitioner_id>/weekly-hours"),
    ("POST", "/providers/practitioners/<int:practitioner_id>/hours"):
        api("PUT /api/v1/practitioners/<int:practitioner_id>/weekly-hours"),
    ("POST", "/providers/practitioners/<int:practitioner_id>/rules"):
        api("POST /api/v1/practitioners/<int:practitioner_id>/rules"),
    ("GET", "/providers/practitioners/<int:practitioner_id>/schedule"):
        api("GET /api/v1/practitioners/<int:practitioner_id>/rules",
            "GET /api/v1/practitioners/<int:practitioner_id>/exceptions",
            "GET /api/v1/providers/<int:provider_id>/bookings"),
    ("POST", "/providers/rules/<int:rule_id>/delete"): api("DELETE /api/v1/rules/<int:rule_id>"),
    ("GET", "/review/providers"): api("GET /api/v1/providers"),
    ("POST", "/review/credentials/<int:credential_id>"):
        api("POST /api/v1/credentials/<int:credential_id>/review"),
    ("POST", "/review/practitioners/<int:practitioner_id>"):
        api("POST /api/v1/practitioners/<int:practitioner_id>/review"),
    ("POST", "/review/providers/<int:provider_id>"):
        api("POST /api/v1/providers/<int:provider_id>/review"),
    # -- the system ------------------------------------------------------------------------
    ("GET", "/healthz"): OPERATIONS,
    ("GET", "/readyz"): OPERATIONS,
    ("GET", "/metrics"): OPERATIONS,
    ("GET", "/static/<path:filename>"): PUBLIC_FILE,
}


def _page_routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            if not rule.rule.startswith("/api/")
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def _api_routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/")
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def test_every_page_route_is_listed(app):
    missing = sorted(_page_routes(app) - set(PARITY))
    assert not missing, (
        "pages with no API operation listed in tests/authz/test_api_parity.py (name the "
        "/api/v1 operation that does the same, or an Exempt with its reason):\n"
        + "\n".join(f"{method} {rule}" for method, rule in missing))


def test_no_listed_page_route_is_gone(app):
    stale = sorted(set(PARITY) - _page_routes(app))
    assert not stale, "listed in PARITY but not a route of the app:\n" + "\n".join(
        f"{method} {rule}" for method, rule in stale)


def test_every_mapped_operation_exists_in_the_app(app):
    routes = _api_routes(app)
    missing = sorted({f"{page[0]} {page[1]} → {method} {rule}"
                      for page, ops in PARITY.items() if not isinstance(ops, Exempt)
                      for method, rule in ops if (method, rule) not in routes})
    assert not missing, "page actions whose API operation the app lacks:\n" + "\n".join(missing)


def test_every_mapped_operation_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    missing = sorted({f"{method} {rule}" for ops in PARITY.values() if not isinstance(ops, Exempt)
                      for method, rule in ops
                      if method.lower() not in paths.get(_openapi_path(rule)[0], {})})
    assert not missing, "operations not in /api/v1/openapi.json:\n" + "\n".join(missing)


def test_exemptions_say_why():
    for page, ops in PARITY.items():
        assert ops, page
        if isinstance(ops, Exempt):
            assert len(ops.reason) > 20, page
