"""The pinyin a service can be found by: ``services.search_keys``, written with the service.

People type Chinese on a phone by pinyin and often stop before choosing the characters, so
``xinli``, ``kangfu`` or just the initials ``am`` should find 心理咨询, 康复 and 按摩. The
database cannot compute pinyin, so it is computed here (pypinyin, offline, no dictionary
to keep) whenever a service is inserted or its Chinese title changes, and stored beside the
generated ``search_text``: a search then compares stored text with ``LIKE`` on SQLite and
PostgreSQL alike (pg_trgm's index helps on PostgreSQL), never converting services per query.

Only the Chinese title is converted: descriptions in pinyin would let short Latin words
("tai", "an") match by accident across syllables.

pypinyin is imported when first needed: its phrase dictionary is 56 MB of each process
that loads it, and most never do (the search vocabulary's sounds are written ahead, in
``marketplace.vocabulary_sounds``).
"""

from __future__ import annotations

import re

from sqlalchemy import event, inspect

#: A run of Chinese characters (the CJK unified ideographs and extension A).
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def pinyin(text: str) -> str:
    """The full pinyin of the Chinese in ``text``, without tones or spaces: 按摩 → anmo."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin("".join(HAN.findall(text))))


def initials(text: str) -> str:
    """The first letter of each syllable: 按摩 → am."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin("".join(HAN.findall(text)), style=Style.FIRST_LETTER))


def keys_for(title_zh: str) -> str:
    """What ``services.search_keys`` holds for a service so titled: each run of Chinese
    characters in full pinyin, then its initials from each syllable on, marked with ``^``
    (中医按摩 → ``zhongyianmo ^zyam ^yam ^am``), so that two or three letters match only
    initials that start at a syllable, never letters inside a full pinyin."""
    runs = HAN.findall(title_zh or "")
    letters = [initials(run) for run in runs]
    return " ".join([pinyin(run) for run in runs]
                    + [f"^{i[n:]}" for i in letters for n in range(len(i) - 1)])


def _write_keys(_mapper, _connection, service) -> None:
    state = inspect(service)
    if service.search_keys is None or state.attrs.title_zh.history.has_changes():
        service.search_keys = keys_for(service.title_zh)


def listen(model) -> None:
    """Keep ``model.search_keys`` in step with its Chinese title (ORM writes; bulk writers
    call ``keys_for`` themselves)."""
    event.listen(model, "before_insert", _write_keys)
    event.listen(model, "before_update", _write_keys)
