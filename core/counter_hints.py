"""A page's counters in one statement: the freshness counters (``core.freshness``) a GET
read last time are brought along with its first counter read the next time, instead of in
a second statement once the page knows which it needs (a search's practitioners, a slot
page's). Remembered per process and per address; a guess that turns out wrong costs
nothing but a few rows read for nothing."""

from __future__ import annotations

from flask import Flask, Response, request

from core import freshness
from core.memo import Memo, memo

#: Addresses whose counters are remembered per process.
HINTS_SIZE = 2048
#: A page naming more counters than this is not worth a hint (nor the memory).
MOST_KEYS = 64


def _hints() -> Memo:
    return memo("core.counter_hints", HINTS_SIZE)


def _expect() -> None:
    if request.method == "GET":
        freshness.expect(_hints().get(request.full_path) or ())


def _remember(response: Response) -> Response:
    if request.method == "GET" and response.status_code == 200:
        keys = freshness.named() - freshness.read_along()
        if 0 < len(keys) <= MOST_KEYS:
            _hints().put(request.full_path, tuple(sorted(keys)))
    return response


def register_counter_hints(app: Flask) -> None:
    app.before_request(_expect)
    app.after_request(_remember)
