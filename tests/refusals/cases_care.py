"""The care package's refusals.

The world's employee has an agreement in force with the world's team (physician: the
provider's staff account), with a plan, a measurement, an open alert and a follow-up."""

from __future__ import annotations

from datetime import timedelta

from care import agreements, plans
from care.models import CareAgreement, CareTeam
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from tests.authz.harness import World
from tests.refusals.harness import refusal


def _in(days: int) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


def agreement_ended(w: World) -> None:
    agreement = db.session.get(CareAgreement, w.care_agreement_id)
    agreements.end_agreement(agreement, actor=db.session.get(User, agreement.user_id),
                             now=utcnow())


def follow_up_cancelled(w: World) -> None:
    plans.cancel_follow_up(w.care_follow_up_id, actor=_staff(w), now=utcnow())


def alert_acknowledged(w: World) -> None:
    plans.acknowledge_alert(w.care_alert_id, actor=_staff(w), now=utcnow())


def team_priced(w: World) -> None:
    """The team now costs money; the other employee has no budget and cards are off."""
    db.session.get(CareTeam, w.care_team_id).price_minor = 120_000


def _signature(w: World) -> dict:
    return {"starts_on": _in(1), "accept_terms": True, "terms_version": 1,
            "terms_sha256": agreements.terms_digest("条款")}  # the team's Chinese terms


def _user(w: World, actor: str) -> User:
    return db.session.get(User, w.users[actor].id)


def _staff(w: World) -> User:
    return _user(w, "provider_staff")


A = "/care/agreements/<int:agreement_id>"
API = "/api/v1/care/agreements/<int:agreement_id>"

#: A refused care-team form shows the agreement page again: the team reads the person's health
#: data once more, and every such read is logged for its owner (docs/privacy.md), refused or not.
READ_LOGGED = {
    "health_access_log": "the page shown again is a care team's read, logged for the owner",
    "audit_events": "the same read, in the audit log",
}

REFUSALS = [
    # Signing writes the agreement before it finds that nobody can pay for it.
    refusal("POST", "/care/teams/<int:team_id>/sign", "other_employee", 409,
            "a priced team, no budget and no card payments: nothing signed",
            arrange=team_priced, body=lambda w: _signature(w) | {"terms_version": "1"}),
    refusal("POST", "/api/v1/care/teams/<int:team_id>/agreements", "other_employee", 409,
            "a priced team, no budget and no card payments: nothing signed",
            arrange=team_priced, body=_signature),
    refusal("POST", f"{A}/measurements", "employee", 422, "a weight no body has",
            body=lambda w: {"kind": "weight", "value": "9000"}),
    refusal("POST", f"{API}/measurements", "employee", 422, "a weight no body has",
            body=lambda w: {"kind": "weight", "value": 9000}),
    refusal("POST", f"{A}/messages", "employee", 409, "the agreement has ended",
            arrange=agreement_ended, body=lambda w: {"body": "您好"}),
    refusal("POST", f"{API}/messages", "employee", 409, "the agreement has ended",
            arrange=agreement_ended, body=lambda w: {"body": "您好"}),
    refusal("POST", f"{A}/end", "employee", 409, "already ended", arrange=agreement_ended),
    refusal("POST", f"{API}/end", "employee", 409, "already ended", arrange=agreement_ended,
            body=lambda w: {}),
    refusal("POST", f"{A}/plan", "provider_staff", 422, "a goal due in the past",
            body=lambda w: {"activity_target": "150", "activity_due_on": _in(-30)},
            may_write=READ_LOGGED),
    refusal("PUT", f"{API}/plan", "provider_staff", 422, "a goal of no known kind",
            body=lambda w: {"goals": [{"kind": "happiness", "target": 70}]}),
    refusal("POST", f"{A}/follow-ups", "provider_staff", 422, "a follow-up in the past",
            body=lambda w: {"on": _in(-7), "at": "10:00", "duration_minutes": "30",
                            "mode": "phone"}, may_write=READ_LOGGED),
    refusal("POST", f"{API}/follow-ups", "provider_staff", 422, "a follow-up in the past",
            body=lambda w: {"starts_at": (utcnow() - timedelta(days=7)).isoformat(),
                            "duration_minutes": 30, "mode": "phone"}),
    refusal("POST", "/care/follow-ups/<int:follow_up_id>/cancel", "provider_staff", 409,
            "already cancelled", arrange=follow_up_cancelled, may_write=READ_LOGGED),
    refusal("POST", "/api/v1/care/follow-ups/<int:follow_up_id>/cancel", "provider_staff",
            409, "already cancelled", arrange=follow_up_cancelled, body=lambda w: {}),
    refusal("POST", "/care/follow-ups/<int:follow_up_id>/move", "provider_staff", 422,
            "moved into the past",
            body=lambda w: {f"move{w.care_follow_up_id}-on": _in(-8),
                            f"move{w.care_follow_up_id}-at": "11:00"}, may_write=READ_LOGGED),
    refusal("POST", "/api/v1/care/follow-ups/<int:follow_up_id>/move", "provider_staff",
            422, "moved into the past",
            body=lambda w: {"starts_at": (utcnow() - timedelta(days=8)).isoformat()}),
    refusal("POST", "/care/alerts/<int:alert_id>/acknowledge", "provider_staff", 409,
            "already acknowledged", arrange=alert_acknowledged),
    refusal("POST", "/api/v1/care/alerts/<int:alert_id>/acknowledge", "provider_staff", 409,
            "already acknowledged", arrange=alert_acknowledged, body=lambda w: {}),
    refusal("POST", "/care/enterprises/<int:enterprise_id>/sponsorships", "enterprise_admin",
            422, "a programme not theirs",
            body=lambda w: {"team_id": w.care_team_id, "programme_id": 999999}),
    refusal("POST", "/api/v1/enterprises/<int:enterprise_id>/care/sponsorships",
            "enterprise_admin", 422, "a programme not theirs",
            body=lambda w: {"team_id": w.care_team_id, "programme_id": 999999}),
    refusal("POST", "/api/v1/providers/<int:provider_id>/care/teams", "provider_owner", 422,
            "a negative price", body=lambda w: {"kind": "general_practice",
                                                "name_zh": "团队", "name_en": "Team",
                                                "price_minor": -1, "period_days": 365,
                                                "terms_zh": "条款", "terms_en": "Terms",
                                                "practitioner_ids": []}),
]

CANNOT_REFUSE: dict[tuple[str, str], str] = {}
