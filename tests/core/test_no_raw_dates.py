"""Every demo role walks its pages in Chinese and reads dates, times and words, never the
machine's: no ISO dates or timestamps, no "中国标准时间" or seconds, no snake_case codes
(``childcare``, ``travel_wellness``) and no English option label that the catalogue
translates.

One seeded demo park serves the whole module (SQLite); each role follows the links of its
home page and of the pages those lead to, as a person tapping through would."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from babel.messages.pofile import read_po

from core.accounts.models import User
from core.clock import utcnow
from core.config import PROJECT_ROOT
from core.db import db
from demo.seed import seed_demo
from marketplace import create_app
from tests.conftest import _clean_request_globals, _create_sqlite_schema, base_config

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
CATALOGUE = PROJECT_ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
ROLES = ["employee@parkwell.demo", "hr@parkwell.demo", "provider@parkwell.demo",
         "therapist@parkwell.demo", "committee@parkwell.demo", "admin@parkwell.demo",
         "checkup@parkwell.demo"]
#: Pages a role reads at most (breadth first from its home page), to keep the walk quick.
PAGES_PER_ROLE = 45
#: Not pages to read: downloads, feeds, the API, leaving.
SKIP = re.compile(r"^/(api/|static/|logout)|\.(csv|ics|json|pdf|png|svg|xlsx)$|/export\.|"
                  r"/feed|/download")

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ISO_TIME = re.compile(r"T\d\d:\d\d")
SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
#: Written out on purpose: the column names of the documented import formats.
IMPORT_COLUMNS = {"measured_on", "fasting_glucose", "total_cholesterol", "uric_acid",
                  "user_id", "employee_id", "birth_date", "cost_centre", "reading_unit",
                  "employee_no"}
#: Input-format examples in help texts (the holiday notice's line format).
EXAMPLES = re.compile(r"\d{4}-\d{2}-\d{2}~\d{4}-\d{2}-\d{2}")
#: The audit log's recorded details (key=value, as recorded, for whoever investigates).
AUDIT_DETAILS = re.compile(r"\b[a-z_]+=\S*")
#: A language is offered in its own name.
LANGUAGE_NAMES = {"English"}
URLISH = re.compile(r"\S+@\S+|https?://\S+|/[\w/.-]+")


class _Reader(HTMLParser):
    """The text a reader sees: text nodes outside scripts and styles, and option labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.options: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._option: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template", "code", "pre", "kbd", "samp"):
            self._skip += 1
        elif tag == "option":
            self._option = []
        elif tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "code", "pre", "kbd", "samp"):
            self._skip = max(0, self._skip - 1)
        elif tag == "option" and self._option is not None:
            self.options.append(" ".join("".join(self._option).split()))
            self._option = None

    def handle_data(self, data):
        if self._skip:
            return
        if self._option is not None:
            self._option.append(data)
        text = " ".join(data.split())
        if text:
            self.texts.append(text)


def _english_with_chinese() -> set[str]:
    """Catalogue entries (without a context) whose Chinese differs from the English."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    return {m.id for m in catalogue
            if m.id and isinstance(m.id, str) and not m.context and m.string
            and m.string != m.id and re.search(r"[A-Za-z]{3}", m.id)} - LANGUAGE_NAMES


@pytest.fixture(scope="module")
def demo() -> Iterator:
    app = create_app(base_config("sqlite://"))
    app.before_request_funcs.setdefault(None, []).insert(0, _clean_request_globals)
    with app.app_context():
        _create_sqlite_schema()
        seed_demo(now=utcnow())
        for user in db.session.query(User).filter(User.email.in_(ROLES)):
            user.locale = "zh_CN"  # the setting the app reads first
        db.session.commit()
        ids = {u.email: u.get_id() for u in db.session.query(User).filter(User.email.in_(ROLES))}
        yield app, ids
        db.session.remove()
        db.engine.dispose()


def _problems(path: str, reader: _Reader, english: set[str]) -> list[str]:
    found = []
    text = " ".join(reader.texts)
    plain = AUDIT_DETAILS.sub(" ", EXAMPLES.sub(" ", URLISH.sub(" ", text)))
    for name, pattern in (("ISO date", ISO_DATE), ("ISO time", ISO_TIME),
                          ("seconds", SECONDS)):
        found += [f"{path}: {name} {m!r}" for m in pattern.findall(plain)]
    if "中国标准时间" in text:
        found.append(f"{path}: zone name 中国标准时间")
    codes = set(SNAKE.findall(plain)) - IMPORT_COLUMNS
    found += [f"{path}: code {c!r}" for c in sorted(codes)]
    found += [f"{path}: untranslated option {o!r}" for o in reader.options if o in english]
    found += [f"{path}: untranslated {t!r}" for t in reader.texts
              if t in english and t not in reader.options]
    return found


def _walk(client, start: str, english: set[str]) -> tuple[int, list[str]]:
    queue, seen, problems = deque([start]), {start}, []
    read = 0
    while queue and read < PAGES_PER_ROLE:
        path = queue.popleft()
        page = client.get(path, headers=ZH)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        read += 1
        reader = _Reader()
        reader.feed(page.get_data(as_text=True))
        problems += _problems(path, reader, english)
        for href in reader.links:
            link = urldefrag(href)[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen and not SKIP.search(parts.path):
                seen.add(target)
                queue.append(target)
    return read, problems


@pytest.mark.parametrize("login", ROLES)
def test_every_role_reads_dates_and_words_in_chinese(demo, login):
    app, ids = demo
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = ids[login]
        session["_fresh"] = True

    read, problems = _walk(client, "/", _english_with_chinese())

    assert read >= 5, f"{login} could read only {read} pages"
    assert not problems, "\n".join(sorted(set(problems)))
