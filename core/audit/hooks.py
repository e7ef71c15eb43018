"""How entries get into the log without the acting code knowing.

- **Row watchers.** ``watch_insert(app, key, Model, fn)`` and ``watch_change(app, key, Model,
  attribute, fn)`` register functions that turn a new row, or a changed column, into
  entries. They run in the session's ``after_flush``, inside the same transaction as the
  change, so that an entry exists exactly when its change does. Core watches its own models
  here; the composition root (``marketplace.hardening``) watches the other packages' models.
- **Endpoint rules.** ``@audited(method, {status: action})`` on a view says, per response
  status, the action to record: sign-ins and their failures, sign-ups, reset requests,
  exports. The declaration sits on the view function, not on its endpoint's name, so a
  renamed endpoint keeps its rule; ``collect_endpoint_rules(app)`` finds them once every
  blueprint is registered. They run after the request's own transaction has committed or
  rolled back, in a small commit of their own, so that a refused sign-in is kept although
  the request rolled back.

Both live in the app's own registry (``app.extensions["parkwell.audit"]``, see
``registry``), filled when the app is created: two apps in one process (the tests) never
share or stack their rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from core.accounts.models import ApiToken, Invitation, Membership, User
from core.accounts.services import find_user_by_login
from core.audit.models import AuditEvent
from core.audit.services import Origin, event_row, record, set_origin_provider
from core.db import db

log = logging.getLogger(__name__)

_M = TypeVar("_M")
_V = TypeVar("_V", bound=Callable[..., Any])
#: Keyword arguments of ``event_row`` (with ``action``), or None or False to skip.
Spec = dict[str, Any] | Literal[False] | None
#: fn(obj) → a Spec.
InsertFn = Callable[[Any], Spec]
#: fn(obj, old, new) → the same.
ChangeFn = Callable[[Any, Any, Any], Spec]

EXTENSION = "parkwell.audit"


@dataclass
class AuditRegistry:
    """One app's audit rules. Watchers are keyed by a name, so that registering again
    replaces; endpoint rules by (endpoint, method)."""

    inserts: dict[str, tuple[type[Any], InsertFn]] = field(default_factory=dict)
    changes: dict[str, tuple[type[Any], str, ChangeFn]] = field(default_factory=dict)
    endpoints: dict[tuple[str, str], EndpointRule] = field(default_factory=dict)


def registry(app: Flask | None = None) -> AuditRegistry:
    """``app``'s audit rules (the current app's when not given), created on first use."""
    app = app or current_app
    found: AuditRegistry = app.extensions.setdefault(EXTENSION, AuditRegistry())
    return found


def watch_insert(app: Flask, key: str, model: type[_M], fn: Callable[[_M], Spec]) -> None:
    registry(app).inserts[key] = (model, fn)


def watch_change(app: Flask, key: str, model: type[_M], attribute: str,
                 fn: Callable[[_M, Any, Any], Spec]) -> None:
    registry(app).changes[key] = (model, attribute, fn)


def _rows_for_flush(session: Session, rules: AuditRegistry) -> list[dict[str, Any]]:
    rows = []
    for obj in session.new:
        for model, fn in rules.inserts.values():
            if isinstance(obj, model) and (spec := fn(obj)):
                rows.append(event_row(**spec))
    for obj in session.dirty:
        state = inspect(obj)
        for model, attribute, change in rules.changes.values():
            if not isinstance(obj, model):
                continue
            history = state.attrs[attribute].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new and (spec := change(obj, old, new)):
                rows.append(event_row(**spec))
    return rows


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    rules = current_app.extensions.get(EXTENSION) if has_app_context() else None
    if rules is None or not (rules.inserts or rules.changes):
        return
    rows = _rows_for_flush(session, rules)
    if rows:
        session.connection().execute(insert(AuditEvent.__table__), rows)


# -- who is acting, from where ------------------------------------------------------------


def _role_of(user: User, *, may_load: bool) -> str | None:
    membership: Membership | None = g.get("active_membership")
    if membership is not None:
        return membership.role.value
    state = inspect(user)
    if not may_load and ("memberships" in state.unloaded or state.expired):
        return None
    return ",".join(sorted({m.role.value for m in user.memberships if m.is_active}))[:64] or None


def web_origin(*, may_load: bool = False) -> Origin:
    """The acting person (API token first, then the session) and where the request came
    from. Inside a flush (``may_load`` False) it reads only what is already loaded."""
    if not has_request_context():
        return Origin()
    user = g.get("api_user") or g.get("_login_user")
    if not isinstance(user, User):
        user = None
    identity = inspect(user).identity if user is not None else None
    agent = (request.user_agent.string or "")[:255] or None
    return Origin(actor_id=identity[0] if identity else None,
                  actor_role=user and _role_of(user, may_load=may_load),
                  ip=request.remote_addr, user_agent=agent)


# -- endpoint rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class EndpointRule:
    method: str
    #: status → action; a status not listed records nothing.
    actions: dict[int, str]
    target_type: str | None = None
    target_arg: str | None = None  #: the view argument that holds the target's id
    #: fn(status) → extra keyword arguments for ``record`` (details, subject_user_id).
    more: Callable[[int], dict[str, Any]] | None = None
    #: Record only when this holds (e.g. "no bearer token sent").
    only_if: Callable[[], bool] = field(default=lambda: True)
    #: The endpoint the rule guards: filled in by ``collect_endpoint_rules``.
    endpoint: str = ""


#: The attribute of a view function that holds its ``EndpointRule`` declarations.
RULES_ATTRIBUTE = "__parkwell_audit__"


def audited(method: str, actions: dict[int, str], *, target_type: str | None = None,
            target_arg: str | None = None, more: Callable[[int], dict[str, Any]] | None = None,
            only_if: Callable[[], bool] | None = None) -> Callable[[_V], _V]:
    """Declare on a view what to record when it answers ``method`` with a status of
    ``actions``. Returns the view itself (so it may stand above or below the route, and
    views wrapping it inherit the declaration)."""
    rule = EndpointRule(method, actions, target_type=target_type, target_arg=target_arg,
                        more=more)
    if only_if is not None:
        rule = replace(rule, only_if=only_if)

    def declare(view: _V) -> _V:
        setattr(view, RULES_ATTRIBUTE, (*getattr(view, RULES_ATTRIBUTE, ()), rule))
        return view
    return declare


def actor_is_subject(_status: int) -> dict[str, Any]:
    """``more`` for a person's own data (their export): they are its subject too."""
    return {"subject_user_id": web_origin().actor_id}


def collect_endpoint_rules(app: Flask) -> dict[tuple[str, str], EndpointRule]:
    """Register the rules declared on ``app``'s views under their endpoints (call once
    every blueprint is registered)."""
    endpoints = registry(app).endpoints
    for endpoint, view in app.view_functions.items():
        for rule in getattr(view, RULES_ATTRIBUTE, ()):
            endpoints[(endpoint, rule.method)] = replace(rule, endpoint=endpoint)
    return endpoints


def _record_endpoint(response: Response) -> Response:
    rules: AuditRegistry | None = current_app.extensions.get(EXTENSION)
    rule = rules.endpoints.get((request.endpoint or "", request.method)) if rules else None
    action = rule.actions.get(response.status_code) if rule else None
    if rule is None or not action or not rule.only_if():
        return response
    kwargs = dict(rule.more(response.status_code)) if rule.more else {}
    if rule.target_type:
        kwargs.setdefault("target_type", rule.target_type)
        kwargs.setdefault("target_id", (request.view_args or {}).get(rule.target_arg or ""))
    try:
        record(action, origin=web_origin(may_load=True), **kwargs)
        db.session.commit()
    except Exception:  # the log must never break the answer
        db.session.rollback()
        log.exception("could not write the audit entry %s", action)
    return response


def init_web(app: Flask) -> None:
    """Call before the request transaction is registered, so that endpoint rules run after
    it (Flask runs ``after_request`` functions in reverse order)."""
    set_origin_provider(app, web_origin)
    app.after_request(_record_endpoint)


# -- core's own watchers --------------------------------------------------------------------


def _scope(m: Membership) -> dict[str, Any]:
    return {"role": m.role.value, "enterprise_id": m.enterprise_id,
            "provider_id": m.provider_id, "park_id": m.park_id,
            "provider_level": m.provider_level and m.provider_level.value}


def watch_core(app: Flask) -> None:
    watch_insert(app, "account.created", User, lambda u: {
        "action": "account.created", "target_type": "user", "target_id": u.id,
        "subject_user_id": u.id})
    watch_change(app, "account.active", User, "is_active", lambda u, old, new: {
        "action": "account.reactivated" if new else "account.deactivated",
        "target_type": "user", "target_id": u.id, "subject_user_id": u.id})
    watch_change(app, "account.sessions", User, "session_version", lambda u, old, new: {
        "action": "account.sessions_ended", "target_type": "user", "target_id": u.id,
        "subject_user_id": u.id,
        "details": {"password_changed": inspect(u).attrs.password_hash.history.has_changes()}})
    watch_insert(app, "membership.granted", Membership, lambda m: {
        "action": "membership.granted", "target_type": "membership", "target_id": m.id,
        "subject_user_id": m.user_id or (m.user and m.user.id), "details": _scope(m)})
    watch_change(app, "membership.active", Membership, "is_active", lambda m, old, new: {
        "action": "membership.restored" if new else "membership.revoked",
        "target_type": "membership", "target_id": m.id, "subject_user_id": m.user_id,
        "details": _scope(m)})
    watch_change(app, "membership.level", Membership, "provider_level", lambda m, old, new: {
        "action": "membership.changed", "target_type": "membership", "target_id": m.id,
        "subject_user_id": m.user_id,
        "details": {**_scope(m), "from": old and str(old)}})
    watch_change(app, "membership.role", Membership, "role", lambda m, old, new: {
        "action": "membership.changed", "target_type": "membership", "target_id": m.id,
        "subject_user_id": m.user_id, "details": {**_scope(m), "from": old and str(old)}})
    watch_insert(app, "token.created", ApiToken, lambda t: {
        "action": "token.created", "target_type": "api_token", "target_id": t.id,
        "subject_user_id": t.user_id or (t.user and t.user.id),
        "details": {"scopes": t.scopes, "prefix": t.prefix}})
    watch_change(app, "token.revoked", ApiToken, "revoked_at", lambda t, old, new: new and {
        "action": "token.revoked", "target_type": "api_token", "target_id": t.id,
        "subject_user_id": t.user_id, "details": {"prefix": t.prefix}})
    watch_insert(app, "invitation.created", Invitation, lambda i: {
        "action": "invitation.created", "target_type": "invitation", "target_id": i.id,
        "details": {"role": i.role.value, "enterprise_id": i.enterprise_id,
                    "provider_id": i.provider_id, "park_id": i.park_id}})
    watch_change(app, "invitation.accepted", Invitation, "accepted_at",
                 lambda i, old, new: new and {
                     "action": "invitation.accepted", "target_type": "invitation",
                     "target_id": i.id, "subject_user_id": i.accepted_by_id})


# -- what core's sign-in rules add (``@audited`` on ``core.accounts`` views) ---------------


def login_failure_extra(status: int) -> dict[str, Any]:
    """The login that was tried (and whose it is, when it is someone's)."""
    from_form = (request.form.get("login") or "").strip().lower()
    from_json = request.get_json(silent=True) if request.is_json else None
    login = from_form or str((from_json or {}).get("login") or "").strip().lower()
    subject = None
    if login:
        try:
            user = find_user_by_login(login)
        except Exception:  # an unparseable login is simply nobody
            user = None
        subject = user.id if user else None
    return {"details": {"login": login[:100]}, "subject_user_id": subject}


def sign_in_extra(status: int) -> dict[str, Any]:
    """A sign-in: who signed in (302), or which login failed."""
    return signed_in_extra(status) if status == 302 else login_failure_extra(status)


def signed_in_extra(status: int) -> dict[str, Any]:
    origin = web_origin()
    return {"subject_user_id": origin.actor_id}


def api_login_extra(status: int) -> dict[str, Any]:
    extra = login_failure_extra(status)
    if status == 201:
        extra["actor"] = extra["subject_user_id"]
    return extra


def no_bearer() -> bool:
    """Only a sign-in with a password (not a signed-in caller making another token)."""
    return not request.headers.get("Authorization")
