"""Web protections that hold for every page: security headers (Flask-Talisman), session idle
and absolute timeouts, and the rate-limit keys.

- **Headers.** A Content-Security-Policy with no inline scripts anywhere (scripts are files
  under ``static/js``; Stripe's Payment Element is the one outside origin), ``frame-ancestors
  'none'`` and ``X-Frame-Options: DENY``, ``Referrer-Policy``, ``X-Content-Type-Options``, a
  Permissions-Policy that lets only our own pages use the camera (ticket check-in), and HSTS,
  which Talisman sends only on HTTPS requests (directly or behind a proxy that says so).
  ``FORCE_HTTPS`` redirects plain HTTP when set.
- **Behind a reverse proxy** (``PROXY_FIX_HOPS``, the number of proxies; 0, the default,
  trusts no forwarded header): the client's address and scheme come from the proxies'
  ``X-Forwarded-For`` and ``X-Forwarded-Proto`` (``trust_proxies``).
- **Sessions** end after ``SESSION_IDLE_MINUTES`` without a request and, whatever happens,
  ``SESSION_MAX_HOURS`` after signing in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from core.clock import utcnow
from core.extensions import limiter

_V = TypeVar("_V", bound=Callable[..., Any])

talisman = Talisman()

STRIPE_JS = "https://js.stripe.com"

#: One policy for every page. No 'unsafe-inline' and no 'unsafe-eval' for scripts.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": ["'self'", STRIPE_JS],
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": ["'self'", "https://api.stripe.com"],
    "frame-src": [STRIPE_JS, "https://hooks.stripe.com"],
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}

#: The API's documentation page (Swagger UI) sets styles from its own script; its scripts
#: are still files only.
DOCS_CONTENT_SECURITY_POLICY = {**CONTENT_SECURITY_POLICY,
                                "style-src": ["'self'", "'unsafe-inline'"]}


def with_payment_origins(policy: dict[str, Any], js_url: str | None) -> dict[str, Any]:
    """``policy`` allowing the origin Stripe.js is loaded from (``STRIPE_JS_URL``) to serve
    scripts, be called and framed: js.stripe.com in production, the local test server in
    development (which also answers the stand-in's API calls)."""
    if not js_url:
        return policy
    parts = urlsplit(js_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    extended = dict(policy)
    for directive in ("script-src", "connect-src", "frame-src"):
        sources = extended[directive]
        sources = [sources] if isinstance(sources, str) else list(sources)
        extended[directive] = sources if origin in sources else [*sources, origin]
    return extended


PERMISSIONS_POLICY = {"camera": "(self)", "microphone": "()", "geolocation": "()",
                      "payment": "(self)", "browsing-topics": "()"}

SESSION_STARTED = "_started"
SESSION_SEEN = "_seen"
#: The last-seen time is rewritten at most this often (seconds), to spare the cookie.
SEEN_GRANULARITY = 30


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_MINUTES", 30)
    app.config.setdefault("SESSION_MAX_HOURS", 12)
    app.config.setdefault("FORCE_HTTPS", False)
    app.config.setdefault("PROXY_FIX_HOPS", 0)
    trust_proxies(app, int(app.config["PROXY_FIX_HOPS"]))
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=True,  # sent only on HTTPS requests
        strict_transport_security_max_age=365 * 24 * 3600,
        content_security_policy=with_payment_origins(CONTENT_SECURITY_POLICY,
                                                     app.config.get("STRIPE_JS_URL")),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy=PERMISSIONS_POLICY,
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        x_content_type_options=True,
    )
    app.before_request(enforce_session_lifetime)


def trust_proxies(app: Flask, hops: int) -> None:
    """Behind ``hops`` reverse proxies, take the client's address and scheme from the
    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` they add (Werkzeug's ``ProxyFix``), so
    that the audit log, the rate limits and HSTS see the client, not the proxy. Only the
    last ``hops`` values are believed: anything a client writes into the headers itself
    comes before them. ``X-Forwarded-Host`` is not trusted (proxies pass ``Host``)."""
    if hops < 0:
        raise ValueError("PROXY_FIX_HOPS is the number of proxies in front of the app: 0 or "
                         "more")
    if hops:
        # Flask's documented way to wrap the WSGI app (mypy sees a method assigned).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


def _is_api() -> bool:
    return request.path.startswith("/api/")


def enforce_session_lifetime() -> ResponseReturnValue | None:
    """End a browser session that has been idle too long or has lived too long."""
    if _is_api() or request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(utcnow().timestamp())
    started = session.get(SESSION_STARTED)
    seen = session.get(SESSION_SEEN)
    if not isinstance(started, int):
        session[SESSION_STARTED] = session[SESSION_SEEN] = now
        return None
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["SESSION_MAX_HOURS"] * 3600
    if now - started > absolute or (isinstance(seen, int) and now - seen > idle):
        return _expire()
    if not isinstance(seen, int) or now - seen >= SEEN_GRANULARITY:
        session[SESSION_SEEN] = now
    return None


def _expire() -> ResponseReturnValue:
    locale = session.get("locale")
    logout_user()
    session.clear()
    session["_remember"] = "clear"  # forget a remember-me cookie too
    if locale:
        session["locale"] = locale
    g.pop("active_membership", None)
    flash(_("Your session has expired. Please sign in again."), "info")
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("accounts.login", next=target))


def caller_key() -> str:
    """Rate-limit key: the person, whether they come with a token (its owner, as
    ``core.api.auth`` authenticated it before the view) or signed in, else the address.
    Never the header's text: ``Bearer`` with extra spaces, a second token or the browser
    all share one person's bucket."""
    user = g.get("api_user")
    if user is None and current_user.is_authenticated:
        user = current_user
    if user is not None:
        return f"user:{user.id}"
    return "ip:" + (get_remote_address() or "")


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets the caller in again, for the 429's
    ``Retry-After``. Only a refused request asks Redis for its window: the
    ``X-RateLimit-*`` headers on every answer (``RATELIMIT_HEADERS_ENABLED``, off by
    default) cost two more round trips to Redis per limited request."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    try:
        return max(1, int(breached.reset_at - time.time()))
    except Exception:  # the store being away must not turn a 429 into a 500
        return 60


_READERS: dict[str, Callable[[], str]] = {}


def _limit_reader(setting: str) -> Callable[[], str]:
    """One function per setting, so that creating many apps (tests) does not stack up
    copies of the same limit. (A cache of functions, not a registry: every app reads the
    limit from its own configuration at request time.)"""
    if setting not in _READERS:
        _READERS[setting] = lambda: current_app.config[setting]
    return _READERS[setting]


@dataclass(frozen=True)
class RateLimit:
    """A view's limit: read from the configuration ``setting`` at request time (``default``
    when unset), counted per caller (``caller_key``) for ``methods`` (None: all)."""

    setting: str
    default: str
    methods: tuple[str, ...] | None = None


#: The attribute of a view function that holds its ``RateLimit``.
LIMIT_ATTRIBUTE = "__parkwell_rate_limit__"
#: ``app.extensions`` key: endpoint → its ``RateLimit``, for the app's own endpoints.
EXTENSION = "parkwell.rate_limits"


def rate_limited(setting: str, *, default: str,
                 methods: Iterable[str] | None = None) -> Callable[[_V], _V]:
    """Declare on a view that it is rate-limited (applied by ``apply_rate_limits`` once every
    blueprint is registered). Returns the view itself, so the declaration follows the
    function, whatever its endpoint is called."""
    limit = RateLimit(setting, default, tuple(methods) if methods else None)

    def declare(view: _V) -> _V:
        setattr(view, LIMIT_ATTRIBUTE, limit)
        return view
    return declare


def rate_limits(app: Flask) -> dict[str, RateLimit]:
    """``app``'s rate-limited endpoints (the OpenAPI document says they answer 429)."""
    found: dict[str, RateLimit] = app.extensions.setdefault(EXTENSION, {})
    return found


def apply_rate_limits(app: Flask) -> dict[str, RateLimit]:
    """Wrap every view of ``app`` that declares ``rate_limited`` in its limit, keyed by
    ``caller_key``, and record it in the app's registry. Call once, after the last
    blueprint is registered."""
    limited = rate_limits(app)
    for endpoint, view in list(app.view_functions.items()):
        limit = getattr(view, LIMIT_ATTRIBUTE, None)
        if limit is None or endpoint in limited:
            continue
        app.config.setdefault(limit.setting, limit.default)
        limited[endpoint] = limit
        # Flask-Limiter types the wrapped view as maybe async; these views are sync.
        app.view_functions[endpoint] = limiter.limit(  # type: ignore[assignment]
            _limit_reader(limit.setting), key_func=caller_key,
            methods=list(limit.methods) if limit.methods else None, scope=limit.setting)(view)
    return limited


#: The limits the views declare (``@limit_bookings`` on each way to book, and so on).
limit_bookings = rate_limited("BOOKING_RATE_LIMIT", default="30 per minute;300 per day",
                              methods=["POST"])
#: Accounts made through the API have the sign-up page's limit.
limit_sign_ups = rate_limited("SIGNUP_RATE_LIMIT", default="5 per minute;20 per hour",
                              methods=["POST"])
limit_exports = rate_limited("EXPORT_RATE_LIMIT", default="10 per minute;100 per day")
#: Account deletion asks for the password: limited like a sign-in, so that someone holding
#: only a token or an open session cannot guess it.
limit_account_deletion = rate_limited("ACCOUNT_DELETE_RATE_LIMIT",
                                      default="5 per minute;20 per day",
                                      methods=["POST", "DELETE"])
