"""Encryption at rest for health data: Fernet (AES-128-CBC + HMAC-SHA256, from the kept
``cryptography`` library), with ``MultiFernet`` for key rotation.

Keys come from ``HEALTH_DATA_KEYS``: comma-separated Fernet keys, the first one current
(every new value is encrypted with it), the others still accepted for reading until
``flask health rotate-keys`` has re-encrypted every row with the current key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

EXTENSION_KEY = "parkwell_health_keyring"
ENV_VAR = "HEALTH_DATA_KEYS"


class HealthKeyError(RuntimeError):
    """The health-data keys are missing or malformed (raised at start-up only)."""


class Keyring:
    """The configured keys: encrypt with the first, decrypt with any."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise HealthKeyError(f"{ENV_VAR} holds no key")
        try:
            self._fernets = [Fernet(key.encode()) for key in keys]
        except (ValueError, TypeError) as exc:
            raise HealthKeyError(f"{ENV_VAR} holds a key that is not a Fernet key") from exc
        self._multi = MultiFernet(self._fernets)

    def encrypt(self, plaintext: bytes) -> str:
        return self._multi.encrypt(plaintext).decode("ascii")

    def decrypt(self, token: str) -> bytes:
        return self._multi.decrypt(token.encode("ascii"))

    def rotate(self, token: str) -> str:
        """The same plaintext, encrypted with the current key."""
        return self._multi.rotate(token.encode("ascii")).decode("ascii")

    def is_current(self, token: str) -> bool:
        try:
            self._fernets[0].decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True


def development_key(secret_key: str) -> str:
    """A stable key derived from SECRET_KEY: for development and tests only."""
    digest = hashlib.sha256(b"parkwell-health-dev-key:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def parse_keys(value: str | None) -> list[str]:
    return [key.strip() for key in (value or "").split(",") if key.strip()]


def init_keyring(app: Flask) -> Keyring:
    """Read the keys from ``app.config`` (or the environment). In production the app
    refuses to start without them; elsewhere a development key is derived and logged."""
    configured = app.config.get(ENV_VAR) or os.environ.get(ENV_VAR)
    keys = parse_keys(configured) if isinstance(configured, str) else list(configured or [])
    if not keys:
        if app.config.get("ENV_NAME") == "production":
            raise HealthKeyError(
                f"{ENV_VAR} is not set: ParkWell will not store health data without a key. "
                "Generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'")
        log.warning("%s is not set: deriving a DEVELOPMENT key for health data from "
                    "SECRET_KEY. Never run production like this.", ENV_VAR)
        keys = [development_key(str(app.config["SECRET_KEY"]))]
    keyring = Keyring(keys)
    app.extensions[EXTENSION_KEY] = keyring
    return keyring


def keyring() -> Keyring:
    return current_app.extensions[EXTENSION_KEY]


class EncryptedJSON(TypeDecorator):
    """A JSON value stored as a Fernet token. Assign a new value to change it (in-place
    changes to the dict are not tracked)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return keyring().encrypt(payload.encode("utf-8"))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return json.loads(keyring().decrypt(value).decode("utf-8"))
