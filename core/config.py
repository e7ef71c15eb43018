"""Settings read from the environment, with the defaults a newcomer needs.

Every setting is listed in the README's configuration table; keep the two in step.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

SUPPORTED_LOCALES = ("zh_CN", "en")


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Make PostgreSQL URLs use psycopg 3, the only driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


DEV_SECRET_FILE = INSTANCE_DIR / "dev-secret-key"


def _secret_key(env: dict[str, str], is_production: bool) -> str | None:
    """SECRET_KEY; in development a key generated once and kept in ``instance/`` (so that
    sessions, links and the development health-data key survive restarts). In production
    there is no default: the app refuses to start without one (``unsafe_settings``)."""
    key = env.get("SECRET_KEY")
    if key:
        return key
    if is_production:
        log.error("SECRET_KEY is not set in production: ParkWell will not start.")
        return None
    if not DEV_SECRET_FILE.exists():
        INSTANCE_DIR.mkdir(exist_ok=True)
        DEV_SECRET_FILE.write_text(secrets.token_hex(32))
        DEV_SECRET_FILE.chmod(0o600)
    return DEV_SECRET_FILE.read_text().strip()


def engine_options(env: dict[str, str]) -> dict[str, object]:
    """Connection pooling for each app or worker process (see the README's "Growing past
    one machine"). ``DB_POOL_SIZE`` connections are kept (+ ``DB_MAX_OVERFLOW`` under
    bursts), recycled after ``DB_POOL_RECYCLE_SECONDS`` and checked before use, so that a
    restarted database or a pgbouncer that closed an idle connection costs no error.
    ``DB_PGBOUNCER=transaction`` is for pgbouncer in transaction pooling mode: psycopg then
    prepares no statements on the server (they would land on another server connection)
    and the app keeps no pool of its own (pgbouncer is the pool)."""
    options: dict[str, object] = {"pool_pre_ping": True}
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        return options
    if env.get("DB_PGBOUNCER", "").strip().lower() == "transaction":
        options["poolclass"] = NullPool
        options["connect_args"] = {"prepare_threshold": None}
        return options
    options.update(pool_size=int(env.get("DB_POOL_SIZE", "5")),
                   max_overflow=int(env.get("DB_MAX_OVERFLOW", "10")),
                   pool_recycle=int(env.get("DB_POOL_RECYCLE_SECONDS", "1800")),
                   pool_timeout=float(env.get("DB_POOL_TIMEOUT_SECONDS", "10")))
    return options


def load_config(env: dict[str, str] | None = None) -> dict[str, object]:
    """Build the Flask configuration from environment variables."""
    env = dict(os.environ if env is None else env)
    environment = env.get("PARKWELL_ENV", "development")
    is_production = environment == "production"
    default_db = f"sqlite:///{INSTANCE_DIR / 'parkwell.sqlite'}"
    mail_server = env.get("MAIL_SERVER") or None
    return {
        "ENV_NAME": environment,
        "SECRET_KEY": _secret_key(env, is_production),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env.get("DATABASE_URL", default_db)),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(env),
        # A streaming replica for the reads that may be a few seconds stale (core.db).
        "DATABASE_REPLICA_URL": normalise_database_url(env["DATABASE_REPLICA_URL"])
        if env.get("DATABASE_REPLICA_URL") else None,
        "PARK_TIMEZONE": env.get("PARK_TIMEZONE", "Asia/Shanghai"),
        "DEFAULT_LOCALE": env.get("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_LOCALE": env.get("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": env.get("PARK_TIMEZONE", "Asia/Shanghai"),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "SUPPORTED_LOCALES": SUPPORTED_LOCALES,
        "REDIS_URL": env.get("REDIS_URL") or None,
        # Rate limits and sign-in counters: shared by every process (Redis) in production.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL")
        or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "SIGNUP_RATE_LIMIT": env.get("SIGNUP_RATE_LIMIT", "5 per minute;20 per hour"),
        "BOOKING_RATE_LIMIT": env.get("BOOKING_RATE_LIMIT", "30 per minute;300 per day"),
        "EXPORT_RATE_LIMIT": env.get("EXPORT_RATE_LIMIT", "10 per minute;100 per day"),
        # Sign-in limits (core.accounts.signin_limits): failures only, growing waits.
        **{name: int(env[name]) for name in (
            "SIGNIN_FAILURES_PER_ACCOUNT_AT_ADDRESS", "SIGNIN_FAILURES_PER_ACCOUNT",
            "SIGNIN_FAILURES_PER_ADDRESS", "SIGNIN_FIRST_WAIT_SECONDS",
            "SIGNIN_LONGEST_WAIT_SECONDS") if env.get(name)},
        # PostgreSQL gives up waiting for a row lock after this (core.db); 0: never.
        "DB_LOCK_TIMEOUT_MS": int(env.get("DB_LOCK_TIMEOUT_MS", "5000")),
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(env.get("SESSION_MAX_HOURS", "12")),
        "FORCE_HTTPS": _bool(env.get("FORCE_HTTPS")),
        "PROXY_FIX_HOPS": int(env.get("PROXY_FIX_HOPS", "0")),
        "AUDIT_RETENTION_DAYS": int(env.get("AUDIT_RETENTION_DAYS", "400")),
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE") or None,
        "STRIPE_PUBLISHABLE_KEY": env.get("STRIPE_PUBLISHABLE_KEY") or None,
        # Where pages load Stripe.js from: Stripe's own in production, the local test
        # server's test-mode stand-in in development (docs/payments.md).
        "STRIPE_JS_URL": env.get("STRIPE_JS_URL") or "https://js.stripe.com/v3/",
        "STRIPE_TIMEOUT_SECONDS": float(env.get("STRIPE_TIMEOUT_SECONDS", "10")),
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": int(env.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), default=True),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "ParkWell <no-reply@parkwell.local>"),
        # Send no mail at all (a benchmark, a staging copy): only recipient and subject are
        # logged, never the body with its links.
        "MAIL_SUPPRESS_SEND": _bool(env.get("MAIL_SUPPRESS_SEND")),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": is_production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": is_production,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "PLATFORM_FEE_BASIS_POINTS": int(env.get("PLATFORM_FEE_BASIS_POINTS", "500")),
        "REPORT_MIN_GROUP": int(env.get("REPORT_MIN_GROUP", "5")),
        # Each package has its own default for these; they are read here only when set.
        **{name: int(env[name]) for name in ("BOOKING_HOLD_MINUTES", "BOOKING_OFFER_MINUTES",
                                             "PARK_OFFER_MINUTES") if env.get(name)},
        # worker (the default; ``flask worker`` runs imports) or inline (in the request).
        **({"JOBS_MODE": env["JOBS_MODE"].strip().lower()} if env.get("JOBS_MODE") else {}),
        "HEALTH_DATA_KEYS": env.get("HEALTH_DATA_KEYS") or None,
        "INVITATION_TTL_DAYS": int(env.get("INVITATION_TTL_DAYS", "14")),
        "PASSWORD_RESET_TTL_SECONDS": int(env.get("PASSWORD_RESET_TTL_SECONDS", "3600")),
        "API_TOKEN_MAX_DAYS": int(env.get("API_TOKEN_MAX_DAYS", "365")),
        "WTF_CSRF_TIME_LIMIT": None,
    }


class UnsafeSettings(RuntimeError):
    """Production settings that ParkWell refuses to start with."""


def unsafe_settings(config: Mapping[str, object], *, serving: bool = True) -> list[str]:
    """What is unsafe about production ``config`` (nothing outside production, where a
    newcomer's ``make run`` must just work). ``serving``: the app will answer HTTP requests
    (gunicorn), not only run a command or a job worker."""
    if config.get("ENV_NAME") != "production":
        return []
    problems = []
    if not config.get("SECRET_KEY"):
        problems.append("SECRET_KEY is not set: sessions and e-mailed links would stop "
                        "working at every restart and differ between processes.")
    if (serving and config.get("RATELIMIT_ENABLED", True)
            and str(config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://")):
        problems.append("REDIS_URL is not set: every process would keep its own rate limits "
                        "and sign-in counters, multiplying them by the number of processes "
                        "(or set RATELIMIT_STORAGE_URI to a shared store).")
    if not config.get("MAIL_SERVER") and not config.get("MAIL_SUPPRESS_SEND"):
        problems.append("MAIL_SERVER is not set: password-reset and invitation links would "
                        "be written to the log. Set MAIL_SERVER (or MAIL_SUPPRESS_SEND=1 to "
                        "send no mail at all).")
    return problems


def refuse_unsafe_settings(config: Mapping[str, object], *, serving: bool = True) -> None:
    """Raises UnsafeSettings, listing every problem at once."""
    problems = unsafe_settings(config, serving=serving)
    if problems:
        raise UnsafeSettings("ParkWell will not start in production:\n- "
                             + "\n- ".join(problems))
