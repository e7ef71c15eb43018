"""The readable copy of one's data (PIPL Art. 45) speaks the reader's language: the demo
employee's export in Chinese shows no internal codes (booking states, flag codes, ledger
account kinds, goals), only their words; the JSON keeps the stable codes."""

from __future__ import annotations

import re

from core.accounts import personal_data
from core.clock import utcnow
from core.db import db
from demo.seed import seed_demo

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_readable_export_shows_words_not_codes(app, client, auth):
    seed_demo(now=utcnow())
    db.session.commit()
    auth.login("employee@parkwell.demo", "parkwell-demo")

    page = client.get("/account/export", headers=ZH)

    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert not re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text)
    vocabulary = personal_data.registry(app).value_labels
    assert {"status", "kind", "role"} <= set(vocabulary)
    codes = {str(code) for labels in vocabulary.values() for code in labels}
    shown = {code for code in codes if re.search(rf"(?<![\w.@-]){re.escape(code)}(?![\w.@-])",
                                                 text)}
    assert not shown, f"codes shown as they are: {sorted(shown)}"
    assert "已确认" in text or "已出席" in text  # booking states in words

    raw = client.get("/account/export.json").get_json()
    assert {b["status"] for b in raw["bookings"]["bookings"]} <= {
        "held", "confirmed", "attended", "no_show", "cancelled", "expired"}
