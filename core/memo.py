"""A small, thread-safe, least-recently-used memory for one process (gunicorn runs several
threads per worker). Entries carry the freshness counters in their keys
(``core.freshness``), so nothing is ever invalidated by hand: a stale entry is
simply never asked for again and falls off the end."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from flask import current_app

_MISSING = object()


class Memo:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            value = self._items.get(key, _MISSING)
            if value is _MISSING:
                self.misses += 1
                return default
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


def memo(name: str, size: int) -> Memo:
    """The application's memory called ``name`` (one per app: tests that build an app per
    database never see another database's entries)."""
    memos: dict[str, Memo] = current_app.extensions.setdefault("memos", {})
    found = memos.get(name)
    if found is None:
        found = memos.setdefault(name, Memo(size))
    return found


def clear_all() -> None:
    for found in current_app.extensions.get("memos", {}).values():
        found.clear()
