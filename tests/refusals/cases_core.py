"""The foundation's refusals: signing in, invitations, password reset, settings, tokens."""

from __future__ import annotations

from flask import current_app

from core import security
from core.accounts import services
from core.accounts.models import Enterprise, Role, User
from core.clock import utcnow
from core.db import db
from tests.authz.harness import World
from tests.refusals.harness import refusal

WEAK = {"display_name": "新人", "password": "1", "confirm": "1"}
#: A refused sign-in is recorded on purpose, in a commit of its own after the request's
#: (``core.audit.hooks``): that is the log of the refusal, not a write of the action.
LOGIN_FAILURE_LOGGED = {"audit_events": "the failed sign-in is logged after the rollback"}


def build_world(world: World, make) -> None:
    _invitation, world.invitation_token = services.invite(
        actor=db.session.get(User, world.users["enterprise_admin"].id), role=Role.EMPLOYEE,
        login="refusal.invitee@example.com", now=utcnow(), link_builder=lambda token: token,
        enterprise=db.session.get(Enterprise, world.enterprise.id))


def _reset_link(w: World) -> str:
    user = db.session.get(User, w.users["employee"].id)
    token = security.make_reset_token(current_app.config["SECRET_KEY"], user_id=user.id,
                                      password_hash=user.password_hash)
    return f"/password/reset/{token}"


def _login_of(w: World, actor: str) -> str:
    user = w.users[actor]
    return user.email or user.mobile


REFUSALS = [
    refusal("POST", "/login", "anonymous", 401, "a wrong password",
            body=lambda w: {"login": _login_of(w, "employee"), "password": "wrong"},
            may_write=LOGIN_FAILURE_LOGGED),
    refusal("POST", "/invitations/<token>", "anonymous", 400, "a password too weak",
            path=lambda w: f"/invitations/{w.invitation_token}", body=lambda w: WEAK),
    refusal("POST", "/password/reset/<token>", "anonymous", 400, "a password too weak",
            path=_reset_link, body=lambda w: {"password": "1", "confirm": "1"}),
    refusal("POST", "/locale", "employee", 302, "a language we do not speak",
            body=lambda w: {"locale": "xx"}),
    refusal("POST", "/account/role", "employee", 302, "a role that is not theirs",
            body=lambda w: {"membership_id": "999999"}),
    refusal("PATCH", "/api/v1/me", "employee", 422, "a language we do not speak",
            body=lambda w: {"locale": "xx"}),
    refusal("POST", "/api/v1/tokens", "employee", 422, "a scope that does not exist",
            body=lambda w: {"name": "matrix", "scopes": ["admin"]}),
    refusal("POST", "/enterprises/<int:enterprise_id>/invitations", "enterprise_admin", 422,
            "not a login", body=lambda w: {"login": "no"}),
    refusal("POST", "/admin/invitations", "platform_admin", 400, "not a login",
            body=lambda w: {"login": "no", "role": "committee_member",
                            "park_id": w.park.id}),
    refusal("POST", "/api/v1/signup", "anonymous", 404, "an invite code that names nobody",
            body=lambda w: {"invite_code": "NO-SUCH-CODE", "login": "new@example.com",
                            "display_name": "新人", "password": "long enough 123"}),
    refusal("POST", "/api/v1/invitations/accept", "anonymous", 404,
            "an invitation that does not exist",
            body=lambda w: {"token": "no-such-token", "display_name": "新人",
                            "password": "long enough 123"}),
    refusal("POST", "/api/v1/enterprises/<int:enterprise_id>/invitations", "enterprise_admin",
            422, "not a login", body=lambda w: {"login": "no"}),
    refusal("POST", "/api/v1/providers/<int:provider_id>/invitations", "provider_owner", 422,
            "not a login", body=lambda w: {"login": "no"}),
    refusal("POST", "/api/v1/invitations", "platform_admin", 422, "not a login",
            body=lambda w: {"login": "no", "role": "committee_member",
                            "park_id": w.park.id}),
]

CANNOT_REFUSE: dict[tuple[str, str], str] = {
    ("POST", "/logout"): "signing out always works (a bad form just goes to the sign-in page)",
    ("POST", "/account/tokens/<int:token_id>/revoke"):
        "revoking one's own token again changes nothing; others' tokens are 404",
    ("DELETE", "/api/v1/tokens/<int:token_id>"):
        "revoking one's own token again changes nothing; others' tokens are 404",
}
