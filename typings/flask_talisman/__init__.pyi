# Flask-Talisman 1.1 ships no types. Only what ParkWell uses.
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask

_F = TypeVar("_F", bound=Callable[..., Any])

class Talisman:
    def __init__(self, app: Flask | None = None, **kwargs: Any) -> None: ...
    def init_app(self, app: Flask, **kwargs: Any) -> None: ...
    # Per-view options, as a decorator: @talisman(force_https=False)
    def __call__(self, **kwargs: Any) -> Callable[[_F], _F]: ...
