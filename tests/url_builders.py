"""Werkzeug compiles two URL-builder functions (via ``ast`` and ``compile``) for every rule of
every app; the suite creates a fresh app for each test, so that was over 80 % of an app's
start-up and a large share of the suite's time. A builder depends only on the rule's parsed
parts, its defaults and which builder it is, so the tests reuse one compiled builder for
identical rules, and parse each converter's arguments once. Nothing outside the tests is
changed."""

from __future__ import annotations

import functools

from werkzeug.routing import rules
from werkzeug.routing.rules import Rule

_compile_builder = Rule._compile_builder
_builders: dict[tuple, object] = {}


def _rule_key(rule: Rule, append_unknown: bool) -> tuple:
    defaults = rule.defaults or {}
    converters = tuple(sorted(
        (name, type(converter).__qualname__,
         repr({k: v for k, v in vars(converter).items() if k != "map"}))
        for name, converter in rule._converters.items() if name in defaults))
    return (tuple(rule._trace), repr(sorted(defaults.items(), key=repr)), converters,
            append_unknown)


def _reused_builder(self: Rule, append_unknown: bool = True):
    key = _rule_key(self, append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


def install() -> None:
    Rule._compile_builder = _reused_builder  # type: ignore[method-assign]
    # The converters' arguments (``int(max=2147483647)``) are parsed by a slow regular
    # expression for every rule of every app; the result depends on the text alone.
    rules.parse_converter_args = functools.lru_cache(maxsize=None)(rules.parse_converter_args)
