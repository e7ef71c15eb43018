"""Reading a rendered page in tests: its own content, without the shell around it (the tab
bar's icons are SVG; every page loads the shell's one script)."""

from __future__ import annotations

import re

_MAIN = re.compile(r"<main\b.*?</main>", re.S)


def main_of(html: str) -> str:
    """The page's ``<main>`` element (the whole page when it has none)."""
    found = _MAIN.search(html)
    return found.group(0) if found else html


def shows_number(text: str, number: int) -> bool:
    """Whether ``number`` appears as a number of its own in ``text``: test organisations and
    people are named with their ids (测试机构3146), which must not count as a reading of 146."""
    return re.search(rf"(?<!\d){number}(?!\d)", text) is not None
