"""Languages: the zh_CN catalogue is complete and really used; money and time formatting."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from core.config import PROJECT_ROOT
from core.i18n import (
    format_clock,
    format_day,
    format_money,
    format_number,
    format_period,
    format_share,
    format_when,
)
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


def test_a_time_never_shows_seconds_or_the_zone_name(app):
    """Babel's medium-and-wider datetimes add ":00" and "中国标准时间"; ours size the date."""
    at = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)  # 13:00 in Shanghai
    with app.test_request_context(), force_locale("zh_CN"):
        shown = {width: format_when(at, width) for width in ("short", "medium", "long", "full")}
        assert shown["medium"] == "2026年12月6日 13:00"
        assert shown["full"] == "2026年12月6日星期日 13:00"
        assert format_clock(at) == "13:00"
    with app.test_request_context(), force_locale("en"):
        assert format_when(at) == "Dec 6, 2026, 1:00\u202fPM"
    assert not any(":00:00" in text or "标准时间" in text for text in shown.values())


def test_a_mail_time_is_in_the_zone_it_is_given(app):
    at = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
    with app.app_context(), force_locale("zh_CN"):
        assert format_when(at, zone="Europe/Berlin") == "2026年12月6日 06:00"


def test_periods_and_shares_read_as_words(app):
    with app.test_request_context(), force_locale("zh_CN"):
        assert [format_period(k) for k in ("2026-12", "2026-Q4", "2026")] == [
            "2026年12月", "2026年第4季度", "2026"]
        assert format_share(1.0) == "100%" and format_share(0.8825, digits=1) == "88.2%"
        assert format_day("2027-01-28") == "2027年1月28日"  # an ISO date kept in JSON
    with app.test_request_context(), force_locale("en"):
        assert format_period("2026-Q4") == "Q4 2026" and format_number(12345.5) == "12,345.5"
