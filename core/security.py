"""Hashing and tokens, from kept libraries.

- Passwords: Argon2id via ``argon2-cffi`` (the OWASP-recommended default), rehashed on
  login when the parameters change.
- Random tokens (invitations, API tokens): ``secrets`` with 256 bits of entropy; we store only
  their SHA-256 digest, which is enough for values that cannot be guessed.
- Password reset: ``itsdangerous`` signed, timed tokens bound to the current password hash,
  so that a link stops working once it has been used.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_hasher = PasswordHasher()
#: Verified against when the login is unknown, so that timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("parkwell-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def make_reset_token(secret_key: str, *, user_id: int, password_hash: str) -> str:
    serializer = URLSafeTimedSerializer(secret_key, salt="password-reset")
    return serializer.dumps({"u": user_id, "f": password_fingerprint(password_hash)})


def read_reset_token(secret_key: str, token: str, *, max_age: int) -> dict[str, Any] | None:
    """The token's payload, or None when it is forged, malformed or expired."""
    serializer = URLSafeTimedSerializer(secret_key, salt="password-reset")
    try:
        payload = serializer.loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return payload if isinstance(payload, dict) else None


def fingerprint_matches(payload: dict[str, Any], password_hash: str) -> bool:
    return hmac.compare_digest(str(payload.get("f", "")), password_fingerprint(password_hash))
