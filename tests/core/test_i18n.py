"""Languages: the zh_CN catalogue is complete and really used; money and time formatting."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from core.config import PROJECT_ROOT
from core.i18n import format_money, format_when
from core.money import Money

CATALOGUE = PROJECT_ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def _extracted_ids(tmp_path: Path) -> set[str]:
    """Extract messages from the source now, as `make i18n` would."""
    pot = tmp_path / "messages.pot"
    packages = [p for p in ("core", "marketplace", "providers", "booking", "health",
                            "benefits", "park", "templates") if (PROJECT_ROOT / p).is_dir()]
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
                    "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot),
                    *packages], cwd=PROJECT_ROOT, check=True)
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_every_message_has_a_chinese_translation(tmp_path):
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {}
    for message in catalogue:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert "fuzzy" not in message.flags, f"fuzzy: {key!r}"
        assert all(strings), f"empty translation: {key!r}"
        translated[key] = message
    missing = sorted(_extracted_ids(tmp_path) - set(translated))
    assert not missing, "untranslated (run `make i18n` and translate):\n" + "\n".join(missing)


def test_pages_really_render_in_chinese(client):
    """Babel calls zh_CN 'zh_Hans_CN'; a catalogue in the wrong folder is silently ignored."""
    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).text
    assert "登录" in page and "忘记密码" in page
    assert 'lang="zh-CN"' in page


def test_money_is_formatted_for_each_language(app):
    with app.test_request_context(), force_locale("zh_CN"):
        assert format_money(Money(123450)) == "¥1,234.50"
    with app.test_request_context(), force_locale("en"):
        assert format_money(123450) == "CN¥1,234.50"


def test_times_are_shown_in_the_park_zone_across_the_date_line(app):
    late_utc = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # already the 24th in Shanghai
    with app.test_request_context(), force_locale("en"):
        assert "Nov 24, 2026" in format_when(late_utc)
        assert "1:30" in format_when(late_utc)
    with app.test_request_context(), force_locale("zh_CN"):
        assert "2026年11月24日" in format_when(late_utc)
