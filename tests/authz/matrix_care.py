"""The care package's routes in the authorisation matrix.

The world's employee has an agreement in force with a team of the world's provider whose
physician is the provider's staff account (the owner is not on the team). Health data is
personal: the employee and the team see the agreement; everyone else, platform admins
included, gets 404. Outcomes: the park's committee and the enterprise's admins (and
platform admins)."""

from __future__ import annotations

from datetime import timedelta

from care import agreements, plans
from core.clock import utcnow
from core.db import db
from providers.models import Practitioner, VerificationStatus
from tests.authz.harness import RouteCase, World, everyone, signed_in

LOGIN, UNAUTH = 302, 401


def build_world(world: World, make) -> None:
    now = utcnow()
    staff, owner = world.users["provider_staff"], world.users["provider_owner"]
    practitioner = Practitioner(provider_id=world.provider.id, user_id=staff.id,
                                name_zh="赵医生", name_en="Dr Zhao",
                                status=VerificationStatus.VERIFIED, is_active=True,
                                created_at=now)
    db.session.add(practitioner)
    db.session.flush()
    team = agreements.create_team(
        world.provider, actor=owner, kind="general_practice", name_zh="矩阵全科",
        name_en="Matrix GP", price_minor=0, period_days=365, terms_zh="条款", terms_en="Terms",
        practitioner_ids=[practitioner.id], now=now)
    employee = world.users["employee"]
    agreement = agreements.sign_agreement(
        team, actor=employee, starts_on=agreements.local_today(world.provider, now),
        accept_terms=True, terms_version=1, terms_sha256=agreements.terms_digest("Terms"),
        locale="en", share_fields=["blood_pressure"], dependant_ids=[], now=now)
    plans.set_plan(agreement, actor=staff, goals=[{
        "kind": "blood_pressure", "target": [135, 85], "alert_above": [160, 100],
        "due_on": agreements.local_today(world.provider, now) + timedelta(days=90)}],
        now=now, today=agreements.local_today(world.provider, now))
    plans.log_measurement(agreement, actor=employee, kind="blood_pressure",
                          values={"systolic": 170, "diastolic": 105}, now=now)
    follow_up = plans.schedule_follow_up(agreement, actor=staff,
                                         starts_at=now + timedelta(days=5),
                                         duration_minutes=30, mode="phone", now=now)
    db.session.flush()
    alert = plans.open_alerts([agreement.id])[0]
    world.care_follow_up_id = follow_up.id
    world.care_team_id, world.care_agreement_id = team.id, agreement.id
    world.care_alert_id, world.care_practitioner_id = alert.id, practitioner.id
    db.session.commit()


def only(status: int, *, anonymous: int, actors: tuple[str, ...], others: int = 404,
         **overrides: int) -> dict[str, int]:
    expect = signed_in(others, anonymous=anonymous, **overrides)
    for actor in actors:
        expect[actor] = status
    return expect


def _a(w: World) -> str:
    return f"/care/agreements/{w.care_agreement_id}"


def _api_a(w: World) -> str:
    return f"/api/v1/care/agreements/{w.care_agreement_id}"


def _in(days: int) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


EMPLOYEES = ("employee", "other_employee")
TEAM = ("provider_staff",)
CLIENT = ("employee",)
PARTIES = ("employee", "provider_staff")
PARK_PEOPLE = dict.fromkeys(("employee", "other_employee", "enterprise_admin",
                             "other_enterprise_admin", "provider_owner", "provider_staff",
                             "other_provider_owner"), 403)
ENTERPRISE_MEMBERS = {"employee": 403}


def _team_body(w: World) -> dict:
    return {"kind": "tcm", "name_zh": "中医团队", "name_en": "Matrix TCM", "price_minor": 0,
            "period_days": 365, "terms_zh": "条款", "terms_en": "Terms",
            "practitioner_ids": [w.care_practitioner_id]}


ROUTES = [
    # -- the employee's pages
    RouteCase("GET", "/care/", lambda w: "/care/",
              only(200, anonymous=LOGIN, actors=EMPLOYEES, others=403)),
    RouteCase("GET", "/care/teams/<int:team_id>", lambda w: f"/care/teams/{w.care_team_id}",
              only(200, anonymous=LOGIN, actors=EMPLOYEES)),
    RouteCase("POST", "/care/teams/<int:team_id>/sign",
              lambda w: f"/care/teams/{w.care_team_id}/sign",
              only(400, anonymous=LOGIN, actors=EMPLOYEES), body=lambda w: {},
              note="an empty form is refused before any rule"),
    RouteCase("GET", "/care/agreements/<int:agreement_id>", _a,
              only(200, anonymous=LOGIN, actors=PARTIES)),
    RouteCase("POST", "/care/agreements/<int:agreement_id>/measurements",
              lambda w: f"{_a(w)}/measurements",
              only(302, anonymous=LOGIN, actors=CLIENT),
              body=lambda w: {"kind": "weight", "value": "70"},
              note="the team cannot log the employee's readings"),
    RouteCase("POST", "/care/agreements/<int:agreement_id>/messages",
              lambda w: f"{_a(w)}/messages", only(302, anonymous=LOGIN, actors=PARTIES),
              body=lambda w: {"body": "您好"}),
    RouteCase("POST", "/care/agreements/<int:agreement_id>/end", lambda w: f"{_a(w)}/end",
              only(302, anonymous=LOGIN, actors=CLIENT)),
    RouteCase("GET", "/care/agreements/<int:agreement_id>/pay", lambda w: f"{_a(w)}/pay",
              only(200, anonymous=LOGIN, actors=CLIENT),
              note="the client's own agreement only; the team never sees its payment"),
    RouteCase("POST", "/care/agreements/<int:agreement_id>/pay", lambda w: f"{_a(w)}/pay",
              only(409, anonymous=LOGIN, actors=CLIENT),
              note="the world's agreement is free: not waiting for payment"),
    # -- the physician team
    RouteCase("POST", "/care/agreements/<int:agreement_id>/plan", lambda w: f"{_a(w)}/plan",
              only(302, anonymous=LOGIN, actors=TEAM),
              body=lambda w: {"activity_target": "150", "activity_due_on": _in(30)}),
    RouteCase("POST", "/care/agreements/<int:agreement_id>/follow-ups",
              lambda w: f"{_a(w)}/follow-ups", only(302, anonymous=LOGIN, actors=TEAM),
              body=lambda w: {"on": _in(7), "at": "10:00", "duration_minutes": "30",
                              "mode": "phone"}),
    RouteCase("POST", "/care/follow-ups/<int:follow_up_id>/cancel",
              lambda w: f"/care/follow-ups/{w.care_follow_up_id}/cancel",
              only(302, anonymous=LOGIN, actors=TEAM)),
    RouteCase("POST", "/care/follow-ups/<int:follow_up_id>/move",
              lambda w: f"/care/follow-ups/{w.care_follow_up_id}/move",
              only(302, anonymous=LOGIN, actors=TEAM),
              body=lambda w: {f"move{w.care_follow_up_id}-on": _in(8),
                              f"move{w.care_follow_up_id}-at": "11:00"}),
    RouteCase("POST", "/care/alerts/<int:alert_id>/acknowledge",
              lambda w: f"/care/alerts/{w.care_alert_id}/acknowledge",
              only(302, anonymous=LOGIN, actors=TEAM)),
    RouteCase("GET", "/care/providers/<int:provider_id>/patients",
              lambda w: f"/care/providers/{w.provider.id}/patients",
              only(200, anonymous=LOGIN,
                   actors=("provider_owner", "provider_staff", "platform_admin"))),
    RouteCase("GET", "/care/providers/<int:provider_id>/teams",
              lambda w: f"/care/providers/{w.provider.id}/teams",
              only(200, anonymous=LOGIN, actors=("provider_owner", "platform_admin"),
                   provider_staff=403)),
    RouteCase("POST", "/care/providers/<int:provider_id>/teams",
              lambda w: f"/care/providers/{w.provider.id}/teams",
              only(400, anonymous=LOGIN, actors=("provider_owner", "platform_admin"),
                   provider_staff=403), body=lambda w: {}),
    # -- enterprise admins
    RouteCase("GET", "/care/enterprises/<int:enterprise_id>/sponsorships",
              lambda w: f"/care/enterprises/{w.enterprise.id}/sponsorships",
              only(200, anonymous=LOGIN, actors=("enterprise_admin", "platform_admin"),
                   **ENTERPRISE_MEMBERS)),
    RouteCase("POST", "/care/enterprises/<int:enterprise_id>/sponsorships",
              lambda w: f"/care/enterprises/{w.enterprise.id}/sponsorships",
              only(302, anonymous=LOGIN, actors=("enterprise_admin", "platform_admin"),
                   **ENTERPRISE_MEMBERS), body=lambda w: {"team_id": w.care_team_id}),
    # -- outcomes
    RouteCase("GET", "/care/parks/<int:park_id>/outcomes",
              lambda w: f"/care/parks/{w.park.id}/outcomes",
              only(200, anonymous=LOGIN, actors=("committee", "platform_admin"),
                   **PARK_PEOPLE)),
    RouteCase("GET", "/care/parks/<int:park_id>/outcomes.csv",
              lambda w: f"/care/parks/{w.park.id}/outcomes.csv",
              only(200, anonymous=LOGIN, actors=("committee", "platform_admin"),
                   **PARK_PEOPLE)),
    RouteCase("GET", "/care/enterprises/<int:enterprise_id>/outcomes",
              lambda w: f"/care/enterprises/{w.enterprise.id}/outcomes",
              only(200, anonymous=LOGIN, actors=("enterprise_admin", "platform_admin"),
                   **ENTERPRISE_MEMBERS)),
    RouteCase("GET", "/care/enterprises/<int:enterprise_id>/outcomes.csv",
              lambda w: f"/care/enterprises/{w.enterprise.id}/outcomes.csv",
              only(200, anonymous=LOGIN, actors=("enterprise_admin", "platform_admin"),
                   **ENTERPRISE_MEMBERS)),
    # -- API
    RouteCase("GET", "/api/v1/care/teams", lambda w: "/api/v1/care/teams",
              only(200, anonymous=UNAUTH, actors=EMPLOYEES, others=403)),
    RouteCase("POST", "/api/v1/providers/<int:provider_id>/care/teams",
              lambda w: f"/api/v1/providers/{w.provider.id}/care/teams",
              only(201, anonymous=UNAUTH, actors=("provider_owner", "platform_admin"),
                   provider_staff=403), body=_team_body),
    RouteCase("POST", "/api/v1/care/teams/<int:team_id>/agreements",
              lambda w: f"/api/v1/care/teams/{w.care_team_id}/agreements",
              only(422, anonymous=UNAUTH, actors=EMPLOYEES),
              body=lambda w: {"starts_on": _in(1), "accept_terms": False, "terms_version": 1,
                              "terms_sha256": "0" * 64},
              note="terms not accepted; nobody else even sees the team"),
    RouteCase("GET", "/api/v1/me/care/agreements", lambda w: "/api/v1/me/care/agreements",
              only(200, anonymous=UNAUTH, actors=EMPLOYEES, others=403)),
    RouteCase("GET", "/api/v1/care/agreements/<int:agreement_id>", _api_a,
              only(200, anonymous=UNAUTH, actors=PARTIES)),
    RouteCase("POST", "/api/v1/care/agreements/<int:agreement_id>/end",
              lambda w: f"{_api_a(w)}/end", only(200, anonymous=UNAUTH, actors=CLIENT),
              body=lambda w: {}),
    RouteCase("GET", "/api/v1/care/agreements/<int:agreement_id>/payment",
              lambda w: f"{_api_a(w)}/payment", only(200, anonymous=UNAUTH, actors=CLIENT)),
    RouteCase("POST", "/api/v1/care/agreements/<int:agreement_id>/pay",
              lambda w: f"{_api_a(w)}/pay", only(409, anonymous=UNAUTH, actors=CLIENT),
              body=lambda w: {}, note="the world's agreement is free: not waiting for payment"),
    RouteCase("GET", "/api/v1/care/agreements/<int:agreement_id>/shared-health",
              lambda w: f"{_api_a(w)}/shared-health",
              only(200, anonymous=UNAUTH, actors=TEAM)),
    RouteCase("PUT", "/api/v1/care/agreements/<int:agreement_id>/plan",
              lambda w: f"{_api_a(w)}/plan", only(200, anonymous=UNAUTH, actors=TEAM),
              body=lambda w: {"goals": [{"kind": "weight", "target": 70,
                                         "due_on": _in(60)}]}),
    RouteCase("GET", "/api/v1/care/agreements/<int:agreement_id>/measurements",
              lambda w: f"{_api_a(w)}/measurements",
              only(200, anonymous=UNAUTH, actors=PARTIES)),
    RouteCase("POST", "/api/v1/care/agreements/<int:agreement_id>/measurements",
              lambda w: f"{_api_a(w)}/measurements",
              only(201, anonymous=UNAUTH, actors=CLIENT),
              body=lambda w: {"kind": "weight", "value": 70}),
    RouteCase("POST", "/api/v1/care/alerts/<int:alert_id>/acknowledge",
              lambda w: f"/api/v1/care/alerts/{w.care_alert_id}/acknowledge",
              only(200, anonymous=UNAUTH, actors=TEAM), body=lambda w: {}),
    RouteCase("GET", "/api/v1/providers/<int:provider_id>/care/patients",
              lambda w: f"/api/v1/providers/{w.provider.id}/care/patients",
              only(200, anonymous=UNAUTH,
                   actors=("provider_owner", "provider_staff", "platform_admin"))),
    RouteCase("POST", "/api/v1/care/agreements/<int:agreement_id>/follow-ups",
              lambda w: f"{_api_a(w)}/follow-ups", only(201, anonymous=UNAUTH, actors=TEAM),
              body=lambda w: {"starts_at": (utcnow() + timedelta(days=7)).isoformat(),
                              "duration_minutes": 30, "mode": "video"}),
    RouteCase("POST", "/api/v1/care/follow-ups/<int:follow_up_id>/cancel",
              lambda w: f"/api/v1/care/follow-ups/{w.care_follow_up_id}/cancel",
              only(200, anonymous=UNAUTH, actors=TEAM), body=lambda w: {}),
    RouteCase("POST", "/api/v1/care/follow-ups/<int:follow_up_id>/move",
              lambda w: f"/api/v1/care/follow-ups/{w.care_follow_up_id}/move",
              only(200, anonymous=UNAUTH, actors=TEAM),
              body=lambda w: {"starts_at": (utcnow() + timedelta(days=8)).isoformat()}),
    RouteCase("GET", "/api/v1/care/agreements/<int:agreement_id>/messages",
              lambda w: f"{_api_a(w)}/messages", only(200, anonymous=UNAUTH, actors=PARTIES)),
    RouteCase("POST", "/api/v1/care/agreements/<int:agreement_id>/messages",
              lambda w: f"{_api_a(w)}/messages", only(201, anonymous=UNAUTH, actors=PARTIES),
              body=lambda w: {"body": "您好"}),
    RouteCase("POST", "/api/v1/enterprises/<int:enterprise_id>/care/sponsorships",
              lambda w: f"/api/v1/enterprises/{w.enterprise.id}/care/sponsorships",
              only(201, anonymous=UNAUTH, actors=("enterprise_admin", "platform_admin"),
                   **ENTERPRISE_MEMBERS), body=lambda w: {"team_id": w.care_team_id}),
    RouteCase("GET", "/api/v1/parks/<int:park_id>/care/outcomes",
              lambda w: f"/api/v1/parks/{w.park.id}/care/outcomes",
              only(200, anonymous=UNAUTH, actors=("committee", "platform_admin"),
                   **PARK_PEOPLE)),
    RouteCase("GET", "/api/v1/enterprises/<int:enterprise_id>/care/outcomes",
              lambda w: f"/api/v1/enterprises/{w.enterprise.id}/care/outcomes",
              only(200, anonymous=UNAUTH, actors=("enterprise_admin", "platform_admin"),
                   **ENTERPRISE_MEMBERS)),
]

__all__ = ["ROUTES", "build_world", "everyone"]
