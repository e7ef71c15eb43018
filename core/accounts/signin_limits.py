"""Sign-in limits that fit an office (issues 18 and 20): the same rule for the sign-in page
and for ``POST /api/v1/tokens`` with a login and password.

- **Failures only.** A successful sign-in never counts; it clears the failures of that
  account at that address.
- **Three counters, each with a growing wait rather than a lock.** Past its free failures a
  counter asks for a wait that doubles with each further failure (``SIGNIN_FIRST_WAIT_SECONDS``
  up to ``SIGNIN_LONGEST_WAIT_SECONDS``); while it waits, attempts are refused without looking
  at the password, and a refused attempt is not a failure, so the wait cannot be driven up
  faster than it runs out.

  ============================  =====================================  ===============
  counter                       what it stops                          free failures
  ============================  =====================================  ===============
  account at this address       one person's typos (or one guesser)    5 per hour
  account, from any address     guessing one password from many        20 per day
  address, for any account      one address trying many accounts       100 per hour
  ============================  =====================================  ===============

  The address limit is high because an office shares one address; a colleague's typos are
  counted against *their* account, so they never make me wait.
- **A stranger cannot lock anyone out.** A browser someone has signed in with before carries
  a signed cookie naming that account (``DEVICE_COOKIE``); from it, only the account-at-this-
  address counter applies. So a stranger who keeps an account waiting from elsewhere, or who
  fills the office address's counter, delays only browsers the owner has never used.

Accounts are counted under their canonical login (lower-case e-mail, E.164 mobile), so the
two spellings of a mobile number share one counter. Counters live in the rate limiter's
storage: Redis in production (shared by every process), memory in development.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeSerializer

from core.accounts import services
from core.accounts.errors import AccountInactive, InvalidCredentials, InvalidLogin
from core.accounts.logins import split_login
from core.accounts.models import User
from core.errors import DomainError
from core.extensions import limiter

#: The browser's proof that it has signed in to these accounts before.
DEVICE_COOKIE = "pw_device"
DEVICE_COOKIE_DAYS = 365
#: How many accounts one browser vouches for (a shared family computer).
DEVICE_ACCOUNTS = 5

DEFAULTS = {
    "SIGNIN_FAILURES_PER_ACCOUNT_AT_ADDRESS": 5,
    "SIGNIN_FAILURES_PER_ACCOUNT": 20,
    "SIGNIN_FAILURES_PER_ADDRESS": 100,
    "SIGNIN_FIRST_WAIT_SECONDS": 30,
    "SIGNIN_LONGEST_WAIT_SECONDS": 15 * 60,
}


class SignInThrottled(DomainError):
    """Too many failed sign-ins: try again after ``retry_after`` seconds."""

    code = "sign_in_throttled"
    status = 429
    default_message = _l("Too many failed sign-ins. Please try again later.")

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        minutes = math.ceil(self.retry_after / 60)
        super().__init__(ngettext(
            "Too many failed sign-ins. Please try again in %(num)d minute.",
            "Too many failed sign-ins. Please try again in %(num)d minutes.", minutes))
        self.headers = {"Retry-After": str(self.retry_after)}


@dataclass(frozen=True)
class Counter:
    name: str
    free_setting: str
    window: int  #: failures are forgotten this long (seconds) after the first one


ACCOUNT_AT_ADDRESS = Counter("pair", "SIGNIN_FAILURES_PER_ACCOUNT_AT_ADDRESS", 3600)
ACCOUNT = Counter("account", "SIGNIN_FAILURES_PER_ACCOUNT", 24 * 3600)
ADDRESS = Counter("address", "SIGNIN_FAILURES_PER_ADDRESS", 3600)


def account_key(login: str) -> str:
    """The canonical login, hashed (the limiter's storage need not hold e-mail addresses):
    ``+8613800000000`` and ``138 0000 0000`` are one account."""
    try:
        email, mobile = split_login(login)
        canonical = email or mobile or ""
    except InvalidLogin:
        canonical = " ".join((login or "").split()).lower()
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _keys(counter: Counter, key: str) -> tuple[str, str]:
    # Under the limiter's own prefix: deployments (and test runs) sharing one Redis apart.
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    base = f"{prefix}signin:{counter.name}:{key}"
    return base + ":failures", base + ":wait"


def _wait_left(counter: Counter, key: str) -> int:
    _failures, wait = _keys(counter, key)
    if not limiter.storage.get(wait):
        return 0
    return max(1, math.ceil(limiter.storage.get_expiry(wait) - time.time()))


def _fail(counter: Counter, key: str) -> None:
    failures_key, wait_key = _keys(counter, key)
    failures = limiter.storage.incr(failures_key, counter.window)
    # The last free failure starts the first wait; each one after it doubles the wait.
    over = failures - _setting(counter.free_setting)
    if over < 0:
        return
    wait = min(_setting("SIGNIN_FIRST_WAIT_SECONDS") * 2 ** min(over, 30),
               _setting("SIGNIN_LONGEST_WAIT_SECONDS"))
    limiter.storage.clear(wait_key)
    limiter.storage.incr(wait_key, int(wait))


def _forget(counter: Counter, key: str) -> None:
    for storage_key in _keys(counter, key):
        limiter.storage.clear(storage_key)


def _counters(account: str, address: str, *, trusted: bool) -> list[tuple[Counter, str]]:
    counters = [(ACCOUNT_AT_ADDRESS, f"{account}@{address}")]
    if not trusted:
        counters += [(ACCOUNT, account), (ADDRESS, address)]
    return counters


def sign_in_with_password(*, login: str, password: str, address: str,
                          trusted_accounts: Iterable[str] = (), now: datetime) -> User:
    """The user with this login and password, within the sign-in limits. ``address`` is the
    caller's network address; ``trusted_accounts`` the account keys the caller's browser
    vouches for (``device_accounts``). Raises SignInThrottled, InvalidCredentials,
    AccountInactive."""
    if not _enabled():
        return services.authenticate(login=login, password=password, now=now)
    account = account_key(login)
    counters = _counters(account, address or "-", trusted=account in set(trusted_accounts))
    wait = max(_wait_left(counter, key) for counter, key in counters)
    if wait:
        raise SignInThrottled(wait)
    try:
        user = services.authenticate(login=login, password=password, now=now)
    except AccountInactive:
        raise  # the password was right: not a guess
    except InvalidCredentials:
        for counter, key in counters:
            _fail(counter, key)
        raise
    _forget(ACCOUNT_AT_ADDRESS, f"{account}@{address or '-'}")
    return user


# -- the browser's word that it has signed in here before ---------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="parkwell-signin-device")


def device_accounts(cookie: str | None) -> list[str]:
    """The account keys a (signed) device cookie vouches for; nothing if it was tampered
    with."""
    if not cookie:
        return []
    try:
        accounts = _serializer().loads(cookie)
    except BadSignature:
        return []
    return [a for a in accounts if isinstance(a, str)] if isinstance(accounts, list) else []


def device_cookie_after_sign_in(cookie: str | None, login: str) -> str:
    """The device cookie's new value once ``login`` has signed in from this browser."""
    account = account_key(login)
    accounts = [account] + [a for a in device_accounts(cookie) if a != account]
    return _serializer().dumps(accounts[:DEVICE_ACCOUNTS])
