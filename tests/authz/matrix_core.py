"""The foundation's routes in the authorisation matrix."""

from __future__ import annotations

from core.accounts.models import ApiToken
from core.db import db
from tests.authz.harness import RouteCase, World, everyone, signed_in

LOGIN_REDIRECT = 302


def _token_id(world: World) -> int:
    """A token of the employee's: only its owner may revoke it."""
    return world.token_ids["employee"]


def build_world(world: World, make) -> None:
    world.token_ids = {
        actor: db.session.query(ApiToken.id).filter_by(user_id=user.id).scalar()
        for actor, user in world.users.items()
    }


ROUTES = [
    # -- public pages
    RouteCase("GET", "/healthz", lambda w: "/healthz", everyone(200)),
    RouteCase("GET", "/readyz", lambda w: "/readyz", everyone(503),
              note="no person's data; 503 here: the test schema is not stamped by alembic"),
    RouteCase("GET", "/metrics", lambda w: "/metrics", everyone(404),
              note="off unless METRICS_ENABLED; then token or loopback (tests/core)"),
    RouteCase("GET", "/login", lambda w: "/login",
              signed_in(302, anonymous=200), note="signed-in people go home"),
    RouteCase("POST", "/login", lambda w: "/login",
              signed_in(302, anonymous=400), body=lambda w: {}),
    RouteCase("POST", "/logout", lambda w: "/logout", everyone(302)),
    RouteCase("GET", "/signup", lambda w: "/signup", everyone(200)),
    RouteCase("POST", "/signup", lambda w: "/signup", everyone(400), body=lambda w: {}),
    RouteCase("GET", "/invitations/<token>", lambda w: "/invitations/unknown-token",
              everyone(404)),
    RouteCase("POST", "/invitations/<token>", lambda w: "/invitations/unknown-token",
              everyone(404)),
    RouteCase("GET", "/password/forgot", lambda w: "/password/forgot", everyone(200)),
    RouteCase("POST", "/password/forgot", lambda w: "/password/forgot", everyone(400),
              body=lambda w: {}),
    RouteCase("GET", "/password/reset/<token>", lambda w: "/password/reset/forged",
              everyone(404)),
    RouteCase("POST", "/password/reset/<token>", lambda w: "/password/reset/forged",
              everyone(404)),
    RouteCase("POST", "/locale", lambda w: "/locale", everyone(302),
              body=lambda w: {"locale": "en"}),
    RouteCase("GET", "/static/<path:filename>", lambda w: "/static/css/parkwell.css",
              everyone(200)),
    # -- signed-in pages
    RouteCase("GET", "/", lambda w: "/", signed_in(200, anonymous=LOGIN_REDIRECT)),
    RouteCase("GET", "/account", lambda w: "/account",
              signed_in(200, anonymous=LOGIN_REDIRECT)),
    RouteCase("POST", "/account", lambda w: "/account",
              signed_in(400, anonymous=LOGIN_REDIRECT), body=lambda w: {}),
    RouteCase("POST", "/account/role", lambda w: "/account/role",
              signed_in(302, anonymous=LOGIN_REDIRECT), body=lambda w: {}),
    RouteCase("GET", "/account/tokens", lambda w: "/account/tokens",
              signed_in(200, anonymous=LOGIN_REDIRECT)),
    RouteCase("POST", "/account/tokens", lambda w: "/account/tokens",
              signed_in(400, anonymous=LOGIN_REDIRECT), body=lambda w: {}),
    RouteCase("POST", "/account/tokens/<int:token_id>/revoke",
              lambda w: f"/account/tokens/{_token_id(w)}/revoke",
              signed_in(404, anonymous=LOGIN_REDIRECT, employee=302),
              note="another person's token is not found"),
    # -- one's own data: export and account deletion (PIPL Art. 45-47); nobody reaches
    # another person's, there is no id in the path
    RouteCase("GET", "/account/export", lambda w: "/account/export",
              signed_in(200, anonymous=LOGIN_REDIRECT)),
    RouteCase("GET", "/account/export.json", lambda w: "/account/export.json",
              signed_in(200, anonymous=LOGIN_REDIRECT)),
    RouteCase("GET", "/account/delete", lambda w: "/account/delete",
              signed_in(200, anonymous=LOGIN_REDIRECT)),
    RouteCase("POST", "/account/delete", lambda w: "/account/delete",
              signed_in(422, anonymous=LOGIN_REDIRECT), body=lambda w: {},
              note="not confirmed: refused, nothing deleted"),
    # -- invitations
    RouteCase("GET", "/enterprises/<int:enterprise_id>/invitations",
              lambda w: f"/enterprises/{w.enterprise.id}/invitations",
              signed_in(404, anonymous=LOGIN_REDIRECT, employee=403, enterprise_admin=200,
                        platform_admin=200)),
    RouteCase("POST", "/enterprises/<int:enterprise_id>/invitations",
              lambda w: f"/enterprises/{w.enterprise.id}/invitations",
              signed_in(404, anonymous=LOGIN_REDIRECT, employee=403, enterprise_admin=200,
                        platform_admin=200),
              body=lambda w: {"login": "new.person@example.com"}),
    RouteCase("GET", "/providers/<int:provider_id>/invitations",
              lambda w: f"/providers/{w.provider.id}/invitations",
              signed_in(404, anonymous=LOGIN_REDIRECT, provider_owner=200,
                        provider_staff=403, platform_admin=200)),
    RouteCase("POST", "/providers/<int:provider_id>/invitations",
              lambda w: f"/providers/{w.provider.id}/invitations",
              signed_in(404, anonymous=LOGIN_REDIRECT, provider_owner=200,
                        provider_staff=403, platform_admin=200),
              body=lambda w: {"login": "new.staff@example.com"}),
    RouteCase("GET", "/admin/invitations", lambda w: "/admin/invitations",
              signed_in(403, anonymous=LOGIN_REDIRECT, platform_admin=200)),
    RouteCase("POST", "/admin/invitations", lambda w: "/admin/invitations",
              signed_in(403, anonymous=LOGIN_REDIRECT, platform_admin=200),
              body=lambda w: {"login": "partner@example.com", "role": "committee_member",
                              "park_id": w.park.id, "provider_level": "owner"}),
    # -- API: sign-up and invitations
    RouteCase("POST", "/api/v1/signup", lambda w: "/api/v1/signup", everyone(404),
              body=lambda w: {"invite_code": "NOSUCH", "login": "new@example.com",
                              "display_name": "New", "password": "long enough"},
              note="public; an unknown invite code makes no account"),
    RouteCase("POST", "/api/v1/invitations/accept", lambda w: "/api/v1/invitations/accept",
              everyone(404), body=lambda w: {"token": "unknown-token"}),
    RouteCase("GET", "/api/v1/enterprises/<int:enterprise_id>/invitations",
              lambda w: f"/api/v1/enterprises/{w.enterprise.id}/invitations",
              signed_in(404, anonymous=401, employee=403, enterprise_admin=200,
                        platform_admin=200)),
    RouteCase("POST", "/api/v1/enterprises/<int:enterprise_id>/invitations",
              lambda w: f"/api/v1/enterprises/{w.enterprise.id}/invitations",
              signed_in(404, anonymous=401, employee=403, enterprise_admin=201,
                        platform_admin=201),
              body=lambda w: {"login": "new.person@example.com"}),
    RouteCase("GET", "/api/v1/providers/<int:provider_id>/invitations",
              lambda w: f"/api/v1/providers/{w.provider.id}/invitations",
              signed_in(404, anonymous=401, provider_owner=200, provider_staff=403,
                        platform_admin=200)),
    RouteCase("POST", "/api/v1/providers/<int:provider_id>/invitations",
              lambda w: f"/api/v1/providers/{w.provider.id}/invitations",
              signed_in(404, anonymous=401, provider_owner=201, provider_staff=403,
                        platform_admin=201),
              body=lambda w: {"login": "new.staff@example.com"}),
    RouteCase("GET", "/api/v1/invitations", lambda w: "/api/v1/invitations",
              signed_in(403, anonymous=401, platform_admin=200)),
    RouteCase("POST", "/api/v1/invitations", lambda w: "/api/v1/invitations",
              signed_in(403, anonymous=401, platform_admin=201),
              body=lambda w: {"login": "partner@example.com", "role": "committee_member",
                              "park_id": w.park.id}),
    # -- API
    RouteCase("GET", "/api/v1/openapi.json", lambda w: "/api/v1/openapi.json", everyone(200)),
    RouteCase("GET", "/api/v1/docs", lambda w: "/api/v1/docs", everyone(302)),
    RouteCase("GET", "/api/v1/docs/", lambda w: "/api/v1/docs/", everyone(200)),
    RouteCase("GET", "/api/v1/docs/<path:path>", lambda w: "/api/v1/docs/swagger-ui.css",
              everyone(200)),
    RouteCase("GET", "/api/v1/me", lambda w: "/api/v1/me", signed_in(200, anonymous=401)),
    RouteCase("PATCH", "/api/v1/me", lambda w: "/api/v1/me", signed_in(200, anonymous=401),
              body=lambda w: {"locale": "en"}),
    RouteCase("GET", "/api/v1/me/export", lambda w: "/api/v1/me/export",
              signed_in(200, anonymous=401)),
    RouteCase("DELETE", "/api/v1/me", lambda w: "/api/v1/me", signed_in(422, anonymous=401),
              body=lambda w: {"confirm": False, "password": "x"},
              note="not confirmed: refused, nothing deleted"),
    RouteCase("GET", "/api/v1/tokens", lambda w: "/api/v1/tokens",
              signed_in(200, anonymous=401)),
    RouteCase("POST", "/api/v1/tokens", lambda w: "/api/v1/tokens",
              signed_in(201, anonymous=422), body=lambda w: {"name": "matrix"},
              note="without a token, login and password are required"),
    RouteCase("DELETE", "/api/v1/tokens/<int:token_id>",
              lambda w: f"/api/v1/tokens/{_token_id(w)}",
              signed_in(404, anonymous=401, employee=204)),
]
