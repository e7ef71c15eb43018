"""Small helpers shared by every package's forms."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """``SelectChoice`` objects from (value, label) pairs; labels may be lazy strings.
    (WTForms 3.3 deprecates plain tuples.)"""
    return [SelectChoice(value, label) for value, label in pairs]
