"""Lighthouse's mobile audit (performance, accessibility, best practices) of the pages an
employee meets on the way to a booking: home, catalogue, a service, the booking and its
checkout, signed in, in Chinese, against the demo park. Run with ``make lighthouse`` (it
installs Lighthouse with npm); it writes docs/lighthouse.md. Not part of ``.ci/browser``:
Lighthouse takes about half a minute a page, and its performance score measures the machine
as much as the pages, so it is recorded, not timed in CI."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser import world
from tests.browser.conftest import CHROMIUM, ROOT
from tests.browser.helpers import sign_in_zh
from tests.browser.paying import book_first_time

pytestmark = pytest.mark.lighthouse

LIGHTHOUSE = Path(os.environ.get("LIGHTHOUSE", ROOT / ".ci" / "node_modules" / ".bin" /
                                 "lighthouse"))
REPORT = ROOT / "docs" / "lighthouse.md"
CATEGORIES = ("performance", "accessibility", "best-practices")
TARGET = 0.9
TRIP = "Two-day Moganshan wellness trip"  # co-paid: its checkout has a card share


def _audit(url: str, cookie: str, out: Path) -> dict:
    headers = json.dumps({"Cookie": cookie, "Accept-Language": "zh-CN,zh;q=0.9"})
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
         f"--only-categories={','.join(CATEGORIES)}", f"--extra-headers={headers}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
    return json.loads(out.read_text())


def _weak_audits(result: dict) -> list[str]:
    weak = []
    for audit in result["audits"].values():
        if audit.get("score") is not None and audit["score"] < TARGET \
                and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"):
            weak.append(f"{audit['id']} ({audit.get('displayValue') or audit['score']})")
    return weak


def _write_report(rows: list[tuple[str, str, dict, list[str]]]) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Lighthouse, mobile", "",
        f"Lighthouse {rows[0][2]['version']} (mobile emulation, simulated throttling) against "
        "the demo park served by `tests/browser` (Werkzeug, PostgreSQL), signed in as "
        f"`employee@parkwell.demo`, Chinese; Debian's Chromium. {when}. Target: each score "
        f"≥ {int(TARGET * 100)}. Written by `make lighthouse`.", "",
        "| Page | Path | Performance | Accessibility | Best practices |",
        "|---|---|---|---|---|",
    ]
    for name, path, result, _weak in rows:
        scores = " | ".join(str(round(result["scores"][c] * 100)) for c in CATEGORIES)
        lines.append(f"| {name} | `{path}` | {scores} |")
    lines += ["", "Audits below the target (advice, not failures of the scores):", ""]
    for name, _path, _result, weak in rows:
        lines.append(f"- **{name}**: {', '.join(weak) if weak else 'none'}")
    REPORT.write_text("\n".join(lines) + "\n")


def test_the_employee_pages_score_well_on_a_phone(browser: Browser, live_app, tmp_path):
    if not LIGHTHOUSE.exists():
        pytest.fail(f"Lighthouse not found at {LIGHTHOUSE} (make lighthouse installs it)")
    context = browser.new_context(base_url=live_app.url, locale="zh-CN")
    page = context.new_page()
    sign_in_zh(page, "employee@parkwell.demo")
    with live_app.app.app_context():
        trip_id = world.service(TRIP).id
    book_first_time(page, trip_id)
    booking_path = re.search(r"/bookings/\d+", page.url).group(0)
    pages = [("Home", "/"), ("Catalogue", "/catalogue"), ("Service", f"/services/{trip_id}"),
             ("Booking", booking_path), ("Checkout", f"{booking_path}/checkout")]
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
    context.close()

    rows = []
    for name, path in pages:
        raw = _audit(live_app.url + path, cookie, tmp_path / f"{name}.json")
        assert raw["finalDisplayedUrl"].endswith(path), f"{name} redirected: signed out?"
        result = {"version": raw["lighthouseVersion"],
                  "scores": {c: raw["categories"][c]["score"] or 0 for c in CATEGORIES}}
        rows.append((name, path, result, _weak_audits(raw)))
    _write_report(rows)

    low = {(name, c): result["scores"][c] for name, _p, result, _w in rows
           for c in CATEGORIES if result["scores"][c] < TARGET}
    assert not low, f"below {TARGET}: {low} (docs/lighthouse.md lists the weak audits)"
