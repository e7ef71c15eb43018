"""A small, thread-safe, least-recently-used memory for one process (gunicorn runs several
threads per worker), optionally backed by Redis so that the workers share what each worked
out. Entries carry the freshness counters in their keys (``core.freshness``), so nothing is
ever invalidated by hand: a stale entry is simply never asked for again and falls off the
end (or expires from Redis).

Why shared: gunicorn runs several processes, each with its own memory; without a second
level every process works out every page, person and window once for itself, and a worker
recycled after ``max_requests`` starts empty. With ``REDIS_URL`` set, a memory made with
``shared=True`` looks in Redis before working an answer out and writes what it worked out
there (pickled: only the application's own plain values, in the application's own Redis,
which already holds the job queue's pickled jobs). Redis being away only costs the work.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from core import freshness

_MISSING = object()
log = logging.getLogger(__name__)
#: How long Redis keeps a shared entry: a bound on its memory, not on the entry's truth
#: (the counters in the key decide that).
SHARED_SECONDS = 3600
_TIMEOUT_SECONDS = 0.5


class Memo:
    def __init__(self, size: int, *, name: str = "", shared: Redis | None = None) -> None:
        self.size = size
        self.name = name
        self._shared = shared
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            value = self._items.get(key, _MISSING)
            if value is not _MISSING:
                self._items.move_to_end(key)
                self.hits += 1
                return value
        value = self._shared_get(key)
        with self._lock:
            if value is _MISSING:
                self.misses += 1
                return default
            self.hits += 1
            self._keep(key, value)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._keep(key, value)
        if self._shared is not None:
            try:
                self._shared.set(self._shared_key(key), pickle.dumps(value),
                                 ex=SHARED_SECONDS)
            except (RedisError, pickle.PicklingError, TypeError, AttributeError) as exc:
                log.warning("memo %s: not shared (%s)", self.name, exc)

    def _keep(self, key: Hashable, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def _shared_key(self, key: Hashable) -> str:
        # repr, not hash(): the same key in every process (strings hash differently in each).
        return f"memo:{self.name}:" + hashlib.blake2b(repr(key).encode(),
                                                      digest_size=16).hexdigest()

    def _shared_get(self, key: Hashable) -> Any:
        if self._shared is None:
            return _MISSING
        try:
            found = self._shared.get(self._shared_key(key))
        except RedisError as exc:
            log.warning("memo %s: Redis unavailable (%s)", self.name, exc)
            return _MISSING
        if not isinstance(found, bytes):
            return _MISSING
        return pickle.loads(found)  # noqa: S301 - our own values, our own Redis

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


def memo(name: str, size: int, *, shared: bool = False) -> Memo:
    """The application's memory called ``name`` (one per app: tests that build an app per
    database never see another database's entries). ``shared``: backed by the app's Redis
    (``REDIS_URL``), when it has one; its values must pickle."""
    memos: dict[str, Memo] = current_app.extensions.setdefault("memos", {})
    found = memos.get(name)
    if found is None:
        redis = _redis() if shared else None
        # Shared keys are namespaced by the database's epoch (``core.freshness.epoch``):
        # two databases on one Redis, or a database dropped and made again, never meet.
        label = f"{freshness.epoch()}:{name}" if redis is not None else name
        found = memos.setdefault(name, Memo(size, name=label, shared=redis))
    return found


def _redis() -> Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url or not current_app.config.get("MEMO_SHARED", True):
        return None
    return Redis.from_url(url, socket_timeout=_TIMEOUT_SECONDS,
                          socket_connect_timeout=_TIMEOUT_SECONDS)


def clear_all() -> None:
    for found in current_app.extensions.get("memos", {}).values():
        found.clear()
