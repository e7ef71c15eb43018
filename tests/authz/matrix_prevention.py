"""The prevention package's routes in the authorisation matrix.

Campaigns and their reports: the enterprise's admins (and platform admins); an employee of
the same enterprise is refused (403), anyone else does not see them (404). The employee's
invitations, booking and results: employees only (403 for every other role), and only
their own (404). The provider side: the provider's staff (and platform admins, who may list
but never upload health results)."""

from __future__ import annotations

from datetime import timedelta

from benefits import budgets
from benefits.models import BudgetPeriod
from core.clock import to_zone, utcnow
from core.db import db
from core.i18n import park_today
from prevention import services
from prevention.schemas import CampaignInput, PackageInput
from providers.models import ProviderCategory
from tests.authz.harness import RouteCase, World, signed_in
from tests.booking.factories import add_practitioner, create_service, slot_at

LOGIN = 302


def build_world(world: World, make) -> None:
    """Adds plain ids (the world's ORM objects are detached once built)."""
    now = utcnow()
    owner = world.users["provider_owner"]
    practitioner = add_practitioner(world.provider, owner=owner, name_en="Matrix Checkup",
                                    now=now)
    service = create_service(world.provider, owner=owner, practitioners=[practitioner], now=now,
                             category=ProviderCategory.HEALTH_CHECKUP, title_en="Matrix check-up",
                             duration_minutes=30, buffer_after_minutes=0, capacity=4)
    admin = world.users["enterprise_admin"]
    programme = budgets.create_programme(world.enterprise, budgets.ProgrammeInput(
        name="Matrix pot", period=BudgetPeriod.YEARLY, amount_minor=0,
        starts_on=park_today().replace(month=1, day=1)), actor=admin, now=now)
    budgets.record_bank_transfer(programme, amount_minor=1_000_000,
                                 bank_reference=f"MATRIX-{programme.id}",
                                 actor=world.users["platform_admin"], now=now)
    today = park_today()
    campaign = services.create_campaign(world.enterprise, CampaignInput(
        name_zh="矩阵体检", name_en="Matrix check-ups", year=today.year, service_id=service.id,
        programme_id=programme.id, starts_on=today,
        ends_on=min(today + timedelta(days=20), today.replace(month=12, day=31)),
        daily_capacity=10, packages=[PackageInput(code="basic", name_zh="基础", name_en="Basic",
                                                  price_minor=30_000)]),
        actor=admin, now=now, today=today)
    checkup = services.book_checkup(
        campaign, actor=world.users["employee"], package_id=campaign.packages[0].id,
        practitioner_id=practitioner.id, starts_at=slot_at(now, 9, 14), now=now,
        results_consent=True)
    db.session.flush()
    world.prevention_service_id, world.prevention_programme_id = service.id, programme.id
    world.prevention_practitioner_id = practitioner.id
    world.campaign_package_id = campaign.packages[0].id
    world.campaign_id, world.campaign_checkup_id = campaign.id, checkup.id
    world.campaign_day = to_zone(slot_at(now, 9, 14), "Asia/Shanghai").date().isoformat()
    world.campaign_other_slot = slot_at(now, 10, 14).isoformat()
    world.campaign_year = today.year
    db.session.commit()


def admins(status: int, *, anonymous: int) -> dict[str, int]:
    """The enterprise's admins and platform admins; its employee 403; the rest 404."""
    return signed_in(404, anonymous=anonymous, enterprise_admin=status,
                     platform_admin=status, employee=403)


def employees(status: int, *, anonymous: int, other_employee: int = 404) -> dict[str, int]:
    """Employees only (403 for every other role); another enterprise's employee 404."""
    return signed_in(403, anonymous=anonymous, employee=status, other_employee=other_employee)


def provider_staff(status: int, *, anonymous: int, platform_admin: int | None = None
                   ) -> dict[str, int]:
    return signed_in(404, anonymous=anonymous, provider_owner=status, provider_staff=status,
                     platform_admin=status if platform_admin is None else platform_admin)


def _campaign_body(w: World) -> dict:
    start = park_today()
    return {"name_zh": "新体检", "name_en": "New", "year": w.campaign_year,
            "service_id": w.prevention_service_id, "programme_id": w.prevention_programme_id,
            "starts_on": start.isoformat(), "ends_on": start.isoformat(), "daily_capacity": 3,
            "packages": [{"code": "basic", "name_zh": "基础", "name_en": "Basic",
                          "price_minor": 100}]}


ROUTES = [
    # -- pages: enterprise admins
    RouteCase("GET", "/enterprises/<int:enterprise_id>/campaigns",
              lambda w: f"/enterprises/{w.enterprise.id}/campaigns", admins(200, anonymous=LOGIN)),
    RouteCase("POST", "/enterprises/<int:enterprise_id>/campaigns",
              lambda w: f"/enterprises/{w.enterprise.id}/campaigns", admins(400, anonymous=LOGIN),
              body=lambda w: {}, note="an empty form is refused before any rule"),
    RouteCase("GET", "/campaigns/<int:campaign_id>", lambda w: f"/campaigns/{w.campaign_id}",
              admins(200, anonymous=LOGIN)),
    RouteCase("POST", "/campaigns/<int:campaign_id>/change",
              lambda w: f"/campaigns/{w.campaign_id}/change", admins(400, anonymous=LOGIN),
              body=lambda w: {}, note="no dates: refused by the form"),
    RouteCase("POST", "/campaigns/<int:campaign_id>/nudge",
              lambda w: f"/campaigns/{w.campaign_id}/nudge", admins(302, anonymous=LOGIN),
              body=lambda w: {}),
    RouteCase("POST", "/campaigns/<int:campaign_id>/close",
              lambda w: f"/campaigns/{w.campaign_id}/close", admins(302, anonymous=LOGIN),
              body=lambda w: {}),
    # -- pages: employees
    RouteCase("GET", "/me/checkups", lambda w: "/me/checkups",
              employees(200, anonymous=LOGIN, other_employee=200)),
    RouteCase("GET", "/me/checkups/campaigns/<int:campaign_id>/book",
              lambda w: f"/me/checkups/campaigns/{w.campaign_id}/book?on={w.campaign_day}",
              employees(200, anonymous=LOGIN)),
    RouteCase("POST", "/me/checkups/campaigns/<int:campaign_id>/book",
              lambda w: f"/me/checkups/campaigns/{w.campaign_id}/book",
              employees(400, anonymous=LOGIN), body=lambda w: {}),
    RouteCase("GET", "/me/checkups/<int:checkup_id>",
              lambda w: f"/me/checkups/{w.campaign_checkup_id}", employees(200, anonymous=LOGIN)),
    RouteCase("POST", "/me/checkups/<int:checkup_id>/consent",
              lambda w: f"/me/checkups/{w.campaign_checkup_id}/consent",
              employees(302, anonymous=LOGIN), body=lambda w: {}),
    # -- pages: providers
    RouteCase("GET", "/providers/<int:provider_id>/campaign-checkups",
              lambda w: f"/providers/{w.provider.id}/campaign-checkups",
              provider_staff(200, anonymous=LOGIN)),
    RouteCase("GET", "/campaign-checkups/<int:checkup_id>/results",
              lambda w: f"/campaign-checkups/{w.campaign_checkup_id}/results",
              provider_staff(200, anonymous=LOGIN)),
    RouteCase("POST", "/campaign-checkups/<int:checkup_id>/results",
              lambda w: f"/campaign-checkups/{w.campaign_checkup_id}/results",
              provider_staff(400, anonymous=LOGIN), body=lambda w: {}),
    # -- API: enterprise admins
    RouteCase("GET", "/api/v1/enterprises/<int:enterprise_id>/campaigns",
              lambda w: f"/api/v1/enterprises/{w.enterprise.id}/campaigns",
              admins(200, anonymous=401)),
    RouteCase("POST", "/api/v1/enterprises/<int:enterprise_id>/campaigns",
              lambda w: f"/api/v1/enterprises/{w.enterprise.id}/campaigns",
              admins(201, anonymous=401), body=_campaign_body),
    RouteCase("GET", "/api/v1/campaigns/<int:campaign_id>",
              lambda w: f"/api/v1/campaigns/{w.campaign_id}", admins(200, anonymous=401)),
    RouteCase("PUT", "/api/v1/campaigns/<int:campaign_id>",
              lambda w: f"/api/v1/campaigns/{w.campaign_id}", admins(422, anonymous=401),
              body=lambda w: {"starts_on": "2026-12-20", "ends_on": "2026-12-10",
                              "daily_capacity": 5},
              note="ends before it starts: refused by the service"),
    RouteCase("POST", "/api/v1/campaigns/<int:campaign_id>/nudges",
              lambda w: f"/api/v1/campaigns/{w.campaign_id}/nudges", admins(201, anonymous=401),
              body=lambda w: {}),
    RouteCase("POST", "/api/v1/campaigns/<int:campaign_id>/close",
              lambda w: f"/api/v1/campaigns/{w.campaign_id}/close", admins(200, anonymous=401),
              body=lambda w: {}),
    # -- API: employees
    RouteCase("GET", "/api/v1/me/checkup-campaigns", lambda w: "/api/v1/me/checkup-campaigns",
              employees(200, anonymous=401, other_employee=200)),
    RouteCase("GET", "/api/v1/me/checkup-campaigns/<int:campaign_id>/slots",
              lambda w: f"/api/v1/me/checkup-campaigns/{w.campaign_id}/slots?on={w.campaign_day}",
              employees(200, anonymous=401)),
    RouteCase("POST", "/api/v1/me/checkup-campaigns/<int:campaign_id>/bookings",
              lambda w: f"/api/v1/me/checkup-campaigns/{w.campaign_id}/bookings",
              employees(409, anonymous=401),
              body=lambda w: {"package_id": w.campaign_package_id,
                              "practitioner_id": w.prevention_practitioner_id,
                              "starts_at": w.campaign_other_slot},
              note="the employee already has a check-up in this campaign"),
    RouteCase("GET", "/api/v1/me/checkups/<int:checkup_id>",
              lambda w: f"/api/v1/me/checkups/{w.campaign_checkup_id}",
              employees(200, anonymous=401)),
    RouteCase("PUT", "/api/v1/me/checkups/<int:checkup_id>/consent",
              lambda w: f"/api/v1/me/checkups/{w.campaign_checkup_id}/consent",
              employees(200, anonymous=401), body=lambda w: {"results_consent": True}),
    # -- API: providers
    RouteCase("GET", "/api/v1/providers/<int:provider_id>/campaign-checkups",
              lambda w: f"/api/v1/providers/{w.provider.id}/campaign-checkups",
              provider_staff(200, anonymous=401)),
    RouteCase("POST", "/api/v1/campaign-checkups/<int:checkup_id>/results",
              lambda w: f"/api/v1/campaign-checkups/{w.campaign_checkup_id}/results",
              provider_staff(409, anonymous=401, platform_admin=403),
              body=lambda w: {"format": "csv", "content": "systolic,diastolic\n120,80\n"},
              note="not due before the check-up; a platform admin never writes health data"),
]
