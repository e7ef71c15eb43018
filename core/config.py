"""Settings read from the environment, with the defaults a newcomer needs.

Every setting is listed in ``SETTINGS`` below, the configuration table:
``docs/configuration.md`` is generated from it (``python -m core.config_doc``) and a test
fails when the two differ or when a variable read here is missing from the table.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

#: The directory that holds ``core/``: the checkout, or ``site-packages`` once installed.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _asset_root() -> Path:
    """Where templates, static files, translations and migrations are: the checkout's top
    level, or, in an installed wheel, the ``parkwell`` package they were copied into at
    build time (see ``setup.py``)."""
    installed = PROJECT_ROOT / "parkwell"
    if (installed / "templates").is_dir():
        return installed
    return PROJECT_ROOT


ASSET_ROOT = _asset_root()
#: True when running from a checkout (``make run``, an editable install).
IN_CHECKOUT = ASSET_ROOT == PROJECT_ROOT


def instance_dir(env: Mapping[str, str] | None = None) -> Path:
    """The instance/data directory (development secret, SQLite database): from
    ``PARKWELL_INSTANCE_DIR``; else ``instance/`` in a checkout; else, once installed,
    ``$XDG_DATA_HOME/parkwell`` (``~/.local/share/parkwell``): never inside site-packages."""
    env = os.environ if env is None else env
    if env.get("PARKWELL_INSTANCE_DIR"):
        return Path(env["PARKWELL_INSTANCE_DIR"]).expanduser().resolve()
    if IN_CHECKOUT:
        return PROJECT_ROOT / "instance"
    data_home = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "parkwell"


INSTANCE_DIR = instance_dir()

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


def _secret_key(env: dict[str, str], is_production: bool, secret_file: Path) -> str | None:
    """SECRET_KEY; in development a key generated once and kept in ``instance/`` (so that
    sessions, links and the development health-data key survive restarts). In production
    there is no default: the app refuses to start without one (``unsafe_settings``)."""
    key = env.get("SECRET_KEY")
    if key:
        return key
    if is_production:
        log.error("SECRET_KEY is not set in production: ParkWell will not start.")
        return None
    if not secret_file.exists():
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(secrets.token_hex(32))
        secret_file.chmod(0o600)
    return secret_file.read_text().strip()


def engine_options(env: dict[str, str]) -> dict[str, object]:
    """Connection pooling for each app or worker process (see docs/operations.md, "Growing past
    one machine"). ``DB_POOL_SIZE`` connections are kept (+ ``DB_MAX_OVERFLOW`` under
    bursts) and recycled after ``DB_POOL_RECYCLE_SECONDS``. On PostgreSQL a connection is
    checked before use only when it sat idle (``core.connections``): a restarted database
    or a pgbouncer that closed an idle connection costs no error, and a busy pool pays no
    round trip for the check.
    ``DB_PGBOUNCER=transaction`` is for pgbouncer in transaction pooling mode: psycopg then
    prepares no statements on the server (they would land on another server connection)
    and the app keeps no pool of its own (pgbouncer is the pool)."""
    options: dict[str, object] = {"pool_pre_ping": True}
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        return options
    options["pool_pre_ping"] = False  # core.connections pings the connections that sat idle
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
    instance = instance_dir(env)
    secret_file = DEV_SECRET_FILE if instance == INSTANCE_DIR else instance / "dev-secret-key"
    default_db = f"sqlite:///{instance / 'parkwell.sqlite'}"
    mail_server = env.get("MAIL_SERVER") or None
    return {
        "ENV_NAME": environment,
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": _secret_key(env, is_production, secret_file),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env.get("DATABASE_URL", default_db)),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(env),
        # A streaming replica for the reads that may be a few seconds stale (core.db).
        "DATABASE_REPLICA_URL": normalise_database_url(env["DATABASE_REPLICA_URL"])
        if env.get("DATABASE_REPLICA_URL") else None,
        "PARK_TIMEZONE": env.get("PARK_TIMEZONE", "Asia/Shanghai"),
        "DEFAULT_LOCALE": env.get("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_LOCALE": env.get("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": env.get("PARK_TIMEZONE", "Asia/Shanghai"),
        "BABEL_TRANSLATION_DIRECTORIES": str(ASSET_ROOT / "translations"),
        "SUPPORTED_LOCALES": SUPPORTED_LOCALES,
        "REDIS_URL": env.get("REDIS_URL") or None,
        # The processes share what they remember (core.memo) through REDIS_URL's Redis.
        "MEMO_SHARED": env.get("MEMO_SHARED", "1") not in ("0", "false", "no"),
        # Rate limits and sign-in counters: shared by every process (Redis) in production.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL")
        or "memory://",
        # X-RateLimit-* on every limited answer: two more Redis round trips each (a 429
        # says when to retry either way: core.protections.retry_after_seconds).
        "RATELIMIT_HEADERS_ENABLED": env.get("RATELIMIT_HEADERS_ENABLED", "0")
        in ("1", "true", "yes"),
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
        "DB_PING_AFTER_IDLE_SECONDS": float(env.get("DB_PING_AFTER_IDLE_SECONDS", "10")),
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
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_BATCH_SIZE": int(env.get("MAIL_BATCH_SIZE", "200")),
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS", "8")),
        # queue (the default outside tests: the worker sends) or inline (after the commit).
        **({"MAIL_DELIVERY": env["MAIL_DELIVERY"].strip().lower()}
           if env.get("MAIL_DELIVERY") else {}),
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
                                             "PARK_OFFER_MINUTES", "ONLINE_LINK_MINUTES_BEFORE")
           if env.get(name)},
        # worker (the default; ``flask worker`` runs imports) or inline (in the request).
        **({"JOBS_MODE": env["JOBS_MODE"].strip().lower()} if env.get("JOBS_MODE") else {}),
        "HEALTH_DATA_KEYS": env.get("HEALTH_DATA_KEYS") or None,
        "PARK_CERTIFICATE_KEY": env.get("PARK_CERTIFICATE_KEY") or None,
        "PARK_CERTIFICATE_FONT": env.get("PARK_CERTIFICATE_FONT") or None,
        "INVITATION_TTL_DAYS": int(env.get("INVITATION_TTL_DAYS", "14")),
        "PASSWORD_RESET_TTL_SECONDS": int(env.get("PASSWORD_RESET_TTL_SECONDS", "3600")),
        "API_TOKEN_MAX_DAYS": int(env.get("API_TOKEN_MAX_DAYS", "365")),
        "WTF_CSRF_TIME_LIMIT": None,
        "LOG_FORMAT": env.get("LOG_FORMAT", "text").strip().lower(),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").strip().upper(),
        "METRICS_ENABLED": _bool(env.get("METRICS_ENABLED")),
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        "WORKER_HEARTBEAT_MAX_SECONDS": int(env.get("WORKER_HEARTBEAT_MAX_SECONDS", "180")),
        "HOLIDAY_HORIZON_DAYS": int(env.get("HOLIDAY_HORIZON_DAYS", "60")),
        **{name: int(env.get(name, default)) for name, default in JOB_INTERVALS.items()},
    }


#: The worker's periodic jobs that run less often than every round: their interval in
#: seconds (a negative value turns the job off). See ``core.jobs.periodic``.
JOB_INTERVALS = {
    "JOB_LICENCE_EXPIRY_SECONDS": "3600",
    "JOB_CALENDAR_SYNC_SECONDS": "900",
    "JOB_BUDGET_PERIODS_SECONDS": "3600",
    "JOB_LEDGER_CHECK_SECONDS": "3600",
    "JOB_RECONCILE_SECONDS": "86400",
    "JOB_AUDIT_PRUNE_SECONDS": "86400",
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


class Setting(NamedTuple):
    """One row of the configuration table (``docs/configuration.md``)."""

    names: str  #: the variable, or several sharing a row ("A, B")
    default: str
    meaning: str
    topic: str


#: The configuration table: every environment variable ParkWell reads, by topic.
#: ``python -m core.config_doc`` writes ``docs/configuration.md`` from it.
SETTINGS: tuple[Setting, ...] = (
    Setting("PARKWELL_ENV", "`development`", "`production` turns on Secure cookies and "
            "refuses to start without `SECRET_KEY`, a shared rate-limit store (`REDIS_URL`) "
            "and `MAIL_SERVER` (or `MAIL_SUPPRESS_SEND`)", "Essentials"),
    Setting("SECRET_KEY", "development: generated once into `<instance>/dev-secret-key`; "
            "production: none (refuses to start)",
            "signs sessions, CSRF tokens and emailed links; every app server and worker must "
            "share it", "Essentials"),
    Setting("DATABASE_URL", "`sqlite:///<instance>/parkwell.sqlite`",
            "SQLAlchemy URL; `postgresql://…` is used with psycopg 3 (use PostgreSQL in "
            "production)", "Essentials"),
    Setting("PARKWELL_INSTANCE_DIR", "checkout: `instance/`; installed: "
            "`$XDG_DATA_HOME/parkwell` (`~/.local/share/parkwell`)",
            "the instance/data directory (development secret, SQLite file); never inside "
            "site-packages", "Essentials"),
    Setting("XDG_DATA_HOME", "`~/.local/share`",
            "where an installed ParkWell puts its data directory when "
            "`PARKWELL_INSTANCE_DIR` is unset", "Essentials"),
    Setting("REDIS_URL", "unset", "Redis for rate limits, the worker's job queue (RQ) and its "
            "heartbeat, and the memory the processes share (searches, slots, next starts); "
            "in memory and in-process without it", "Essentials"),
    Setting("MEMO_SHARED", "`1`", "`0`: each process keeps what it remembers to itself "
            "even with `REDIS_URL` (see docs/performance.md)", "Operations"),
    Setting("HEALTH_DATA_KEYS", "derived from `SECRET_KEY` with a warning (refused in "
            "production)", "Fernet keys for health data at rest, comma-separated, the first "
            "one current", "Essentials"),
    Setting("DATABASE_REPLICA_URL", "unset", "a streaming read replica for the reads that may "
            "be a few seconds stale (catalogue search, slots shown, calendar feeds, enterprise "
            "reports)", "Database"),
    Setting("DB_POOL_SIZE", "`5`", "database connections each app or worker process keeps "
            "(at least `GUNICORN_THREADS`)", "Database"),
    Setting("DB_MAX_OVERFLOW", "`10`", "extra connections a process may open under a burst",
            "Database"),
    Setting("DB_POOL_RECYCLE_SECONDS", "`1800`", "connections older than this are replaced",
            "Database"),
    Setting("DB_POOL_TIMEOUT_SECONDS", "`10`", "how long a request waits for a free "
            "connection before failing", "Database"),
    Setting("DB_LOCK_TIMEOUT_MS", "`5000`", "PostgreSQL gives up waiting for a row lock "
            "after this many milliseconds (0: never)", "Database"),
    Setting("DB_PING_AFTER_IDLE_SECONDS", "`10`", "a PostgreSQL connection that sat idle "
            "this long is checked (one round trip) before a request uses it; `0`: every "
            "time", "Database"),
    Setting("DB_PGBOUNCER", "unset", "`transaction` behind pgbouncer in transaction pooling: "
            "no pool in the app, no server-side prepared statements", "Database"),
    Setting("PARK_TIMEZONE", "`Asia/Shanghai`", "zone times are shown in", "Language and time"),
    Setting("DEFAULT_LOCALE", "`zh_CN`", "language when nothing else decides (`zh_CN` or "
            "`en`)", "Language and time"),
    Setting("FORCE_HTTPS", "`false`", "redirect plain HTTP to HTTPS and send HSTS (set it "
            "behind a TLS proxy together with `PROXY_FIX_HOPS`)", "Web and security"),
    Setting("PROXY_FIX_HOPS", "`0`", "how many reverse proxies stand in front of the app; "
            "their `X-Forwarded-For` and `X-Forwarded-Proto` are then honoured "
            "(Werkzeug's ProxyFix; 0: none trusted)", "Web and security"),
    Setting("SESSION_IDLE_MINUTES", "`30`", "a signed-in session ends after this long "
            "without a request", "Web and security"),
    Setting("SESSION_MAX_HOURS", "`12`", "a session ends this long after sign-in, however "
            "active", "Web and security"),
    Setting("LOGIN_RATE_LIMIT", "`10 per minute;50 per hour`", "throttle for sign-in, "
            "password reset and token requests, per address and per login",
            "Web and security"),
    Setting("SIGNUP_RATE_LIMIT", "`5 per minute;20 per hour`", "throttle for sign-ups and "
            "invitation acceptance", "Web and security"),
    Setting("BOOKING_RATE_LIMIT", "`30 per minute;300 per day`", "throttle for booking "
            "requests, per user", "Web and security"),
    Setting("EXPORT_RATE_LIMIT", "`10 per minute;100 per day`", "throttle for exports and "
            "reports, per user", "Web and security"),
    Setting("RATELIMIT_STORAGE_URI", "`REDIS_URL`, else `memory://`", "where rate limits and "
            "sign-in counters are kept (shared by every process in production)",
            "Web and security"),
    Setting("RATELIMIT_HEADERS_ENABLED", "0", "1: every rate-limited answer carries "
            "`X-RateLimit-Limit`, `-Remaining` and `-Reset` (two more round trips to the "
            "rate-limit store each); a 429 says `Retry-After` either way", "Web and security"),
    Setting("SIGNIN_FAILURES_PER_ACCOUNT_AT_ADDRESS, SIGNIN_FAILURES_PER_ACCOUNT, "
            "SIGNIN_FAILURES_PER_ADDRESS, SIGNIN_FIRST_WAIT_SECONDS, SIGNIN_LONGEST_WAIT_SECONDS",
            "see `core/accounts/signin_limits.py`", "sign-in limits: failures only, with "
            "growing waits", "Web and security"),
    Setting("MAX_CONTENT_LENGTH", "`2097152`", "largest request body in bytes (413 above)",
            "Web and security"),
    Setting("INVITATION_TTL_DAYS", "`14`", "how long an invitation link works",
            "Web and security"),
    Setting("PASSWORD_RESET_TTL_SECONDS", "`3600`", "how long a reset link works",
            "Web and security"),
    Setting("API_TOKEN_MAX_DAYS", "`365`", "longest API token lifetime", "Web and security"),
    Setting("AUDIT_RETENTION_DAYS", "`400`", "how long `flask audit prune` keeps audit "
            "entries (at least 180)", "Web and security"),
    Setting("STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET", "unset", "card payments (off, with a "
            "clear message, when unset); the webhook's signing secret", "Payments"),
    Setting("STRIPE_PUBLISHABLE_KEY", "unset", "lets the checkout page mount Stripe's Payment "
            "Element", "Payments"),
    Setting("STRIPE_API_BASE", "unset", "point the Stripe SDK at another API host (the local "
            "fake in tests)", "Payments"),
    Setting("STRIPE_JS_URL", "`https://js.stripe.com/v3/`", "where pages load Stripe.js "
            "from (the local test server's stand-in in development)", "Payments"),
    Setting("STRIPE_TIMEOUT_SECONDS", "`10`", "how long a call to Stripe may take before it "
            "counts as failed", "Payments"),
    Setting("PLATFORM_FEE_BASIS_POINTS", "`500`", "the platform's fee on each paid booking "
            "(1/100 %)", "Payments"),
    Setting("MAIL_SERVER", "unset", "SMTP host; without it mail is written to the log", "Mail"),
    Setting("MAIL_PORT", "`587`", "SMTP port", "Mail"),
    Setting("MAIL_USERNAME, MAIL_PASSWORD", "unset", "SMTP credentials", "Mail"),
    Setting("MAIL_USE_TLS", "`true`", "STARTTLS on the SMTP connection (port 587)", "Mail"),
    Setting("MAIL_USE_SSL", "`false`", "SMTPS: implicit TLS from the start (port 465; "
            "then leave `MAIL_USE_TLS` off)", "Mail"),
    Setting("MAIL_SUPPRESS_SEND", "`false`", "send no mail at all (a benchmark, a staging "
            "copy): only recipient and subject are logged", "Mail"),
    Setting("MAIL_DELIVERY", "`queue` (`inline` under test)", "`queue`: mail is written to "
            "the outbox in the transaction that caused it and the worker sends it in batches "
            "over one connection, retrying with backoff; `inline`: sent by the app right after "
            "the commit", "Mail"),
    Setting("MAIL_BATCH_SIZE", "`200`", "messages the worker sends over one SMTP connection "
            "at a time", "Mail"),
    Setting("MAIL_MAX_ATTEMPTS", "`8`", "tries before a message is marked failed (30 s, "
            "1 min, 2 min, … doubling, at most an hour apart)", "Mail"),
    Setting("MAIL_DEFAULT_SENDER", "`ParkWell <no-reply@parkwell.local>`", "the From address",
            "Mail"),
    Setting("JOBS_MODE", "`worker` (`inline` under test)", "`worker`: the worker runs roster "
            "imports and `.ics` uploads and their pages show progress; `inline`: they run "
            "inside the upload's request", "Jobs"),
    Setting("BOOKING_HOLD_MINUTES", "`10`", "how long a held booking keeps its place while the "
            "employee pays", "Jobs"),
    Setting("ONLINE_LINK_MINUTES_BEFORE", "`30`", "from how long before an online session's "
            "start its video link is given to the attendee (booking page, reminder, feed)",
            "Jobs"),
    Setting("BOOKING_OFFER_MINUTES", "`30`", "how long a waitlist offer for a service is kept",
            "Jobs"),
    Setting("PARK_OFFER_MINUTES", "`120`", "how long a waitlist offer for an event session is "
            "kept", "Jobs"),
    Setting("PARK_CERTIFICATE_KEY", "derived from `SECRET_KEY`", "signs course certificates' "
            "numbers (checked at `/certificates/verify/<number>`); set it once and keep it: "
            "a new key invalidates every certificate printed before", "Jobs"),
    Setting("PARK_CERTIFICATE_FONT", "unset (the first CJK TrueType font found, e.g. "
            "`fonts-droid-fallback`'s, then DejaVu Sans)",
            "a TrueType font (`.ttf`/`.ttc`, not OpenType-CFF) embedded in certificates first; "
            "characters it has no glyph for are drawn in the CJK and Latin fonts found, and "
            "only those none has in the non-embedded CID font STSong-Light", "Jobs"),
    Setting("REPORT_MIN_GROUP", "`5`", "the smallest group of employees an enterprise report "
            "may show", "Jobs"),
    Setting("LOG_FORMAT", "`text`", "`json`: one JSON object per log line (timestamp, level, "
            "logger, request id, message); `text`: timestamped lines", "Operations"),
    Setting("LOG_LEVEL", "`INFO`", "the app's log level", "Operations"),
    Setting("METRICS_ENABLED", "`false`", "serve Prometheus metrics at `/metrics`",
            "Operations"),
    Setting("METRICS_TOKEN", "unset", "when set, `/metrics` needs `Authorization: Bearer "
            "<token>`; without it `/metrics` answers only requests from loopback addresses",
            "Operations"),
    Setting("PROMETHEUS_MULTIPROC_DIR", "unset", "an empty directory the app may write (cleared "
            "at each start): several gunicorn workers then add up their metrics; read by "
            "prometheus-client itself", "Operations"),
    Setting("WORKER_HEARTBEAT_MAX_SECONDS", "`180`", "`/readyz` reports the worker as late "
            "when its last heartbeat is older", "Operations"),
    Setting("JOB_LICENCE_EXPIRY_SECONDS", "`3600`", "how often the worker reminds owners of "
            "licences about to expire and delists what expired ones covered (a negative value "
            "turns a periodic job off)", "Operations"),
    Setting("JOB_CALENDAR_SYNC_SECONDS", "`900`", "how often the worker re-imports the busy "
            "time of subscribed practitioner calendars", "Operations"),
    Setting("JOB_BUDGET_PERIODS_SECONDS", "`3600`", "how often the worker allocates the "
            "current period of every budget programme and expires past ones", "Operations"),
    Setting("JOB_LEDGER_CHECK_SECONDS", "`3600`", "how often the worker checks the ledger's "
            "invariants (problems are logged as `ledger alert` at ERROR)", "Operations"),
    Setting("JOB_RECONCILE_SECONDS", "`86400`", "how often the worker compares payments with "
            "Stripe, as a dry run (differences are logged as `payments alert` at ERROR)",
            "Operations"),
    Setting("JOB_AUDIT_PRUNE_SECONDS", "`86400`", "how often the worker prunes audit entries "
            "older than `AUDIT_RETENTION_DAYS` (`-1` when `flask audit prune --archive` runs "
            "from cron instead)", "Operations"),
    Setting("HOLIDAY_HORIZON_DAYS", "`60`", "`/readyz` warns while the days that can be booked "
            "(the longest service horizon, at least this many) reach a year the holiday "
            "calendar does not know", "Operations"),
    Setting("GUNICORN_WORKERS", "`2 × CPUs + 1`", "gunicorn worker processes", "Serving"),
    Setting("GUNICORN_THREADS", "`4`", "threads per worker (`gthread`)", "Serving"),
    Setting("GUNICORN_BIND, PORT", "`0.0.0.0:$PORT`, `8000`", "where gunicorn listens",
            "Serving"),
    Setting("GUNICORN_WORKER_CLASS", "`gthread`", "gunicorn worker class", "Serving"),
    Setting("GUNICORN_WORKER_CONNECTIONS", "`2 × GUNICORN_THREADS`",
            "connections one worker holds at once, busy or kept alive; the rest wait for "
            "another worker", "Serving"),
    Setting("GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_KEEPALIVE",
            "`30`, `20`, `5`", "seconds: a request's limit, a restart's grace, keep-alive",
            "Serving"),
    Setting("GUNICORN_MAX_REQUESTS, GUNICORN_MAX_REQUESTS_JITTER", "`100000`, `10000`",
            "recycle a worker after this many requests (± jitter): a safety net for a leak; "
            "each recycling costs the worker its remembered copies and connections",
            "Serving"),
    Setting("GUNICORN_PRELOAD", "`1`", "load the app once before forking the workers",
            "Serving"),
    Setting("GUNICORN_ACCESS_LOG, GUNICORN_LOG_LEVEL", "`-` (stdout), `info`",
            "access log target (empty turns it off) and gunicorn's log level", "Serving"),
    Setting("GUNICORN_CONTROL_SOCKET", "`0`", "`1` lets gunicorn 27 open its control socket "
            "under `~/.gunicorn/`", "Serving"),
    Setting("FORWARDED_ALLOW_IPS", "`127.0.0.1`", "the proxies gunicorn trusts for "
            "`X-Forwarded-*`", "Serving"),
)


def setting_names() -> set[str]:
    """Every variable named in the table."""
    return {name.strip() for row in SETTINGS for name in row.names.split(",")}
