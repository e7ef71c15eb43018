"""Check-in on a phone without ``BarcodeDetector`` (iPhones, WeChat's browser): the page loads
the jsQR reader ParkWell serves itself, reads a real ticket's QR code from the camera, and
checks the attendee in. The camera is a canvas stream drawing the ticket's QR code (the same
``segno`` call as the ticket page), handed to the page in place of ``getUserMedia``."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

import segno
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from core.db import db
from park.models import EventSession, Registration, RegistrationStatus
from park.registration import format_code
from tests.browser.helpers import PHONE, Evidence, sign_in_zh, zh

#: No native reader, and a "camera" that films the ticket: a canvas redrawn ten times a
#: second (a still canvas yields no new frames), white quiet zone around the modules.
FAKE_CAMERA = """
(() => {
  delete window.BarcodeDetector;
  const modules = %s;
  navigator.mediaDevices.getUserMedia = async () => {
    // Counted across the page load that the scan's form submission causes.
    sessionStorage.setItem('cameraOpened', Number(sessionStorage.getItem('cameraOpened') || 0) + 1);
    const cell = 6, quiet = 8, size = (modules.length + 2 * quiet) * cell;
    const canvas = document.createElement('canvas');
    canvas.width = size + 160; canvas.height = size + 120;  // the ticket, off-centre on a desk
    const context = canvas.getContext('2d');
    const draw = () => {
      context.fillStyle = '#8a8f98'; context.fillRect(0, 0, canvas.width, canvas.height);
      context.fillStyle = '#fff'; context.fillRect(100, 40, size, size);
      context.fillStyle = '#000';
      modules.forEach((row, y) => row.forEach((dark, x) => {
        if (dark) {
          context.fillRect(100 + (x + quiet) * cell, 40 + (y + quiet) * cell, cell, cell);
        }
      }));
    };
    draw();
    setInterval(draw, 100);
    return canvas.captureStream(10);
  };
})();
"""


def _unused_ticket(app) -> tuple[int, int, str]:
    """A confirmed, not yet used ticket of the demo park's seeded events: (registration,
    session, code)."""
    with app.app_context():
        registration = db.session.scalars(
            select(Registration).join(EventSession)
            .where(Registration.status == RegistrationStatus.CONFIRMED,
                   Registration.checked_in_at.is_(None),
                   EventSession.cancelled_at.is_(None))
            .order_by(Registration.id)).first()
        assert registration is not None, "the demo park has an unused ticket"
        found = (registration.id, registration.session_id, registration.ticket_code)
        db.session.remove()
    return found


def _checked_in(app, registration_id: int) -> bool:
    with app.app_context():
        used = db.session.get(Registration, registration_id).checked_in_at is not None
        db.session.remove()
    return used


def test_phone_without_barcode_detector_scans_a_ticket_with_jsqr(browser: Browser, live_app,
                                                                 axe_source, screenshots_dir):
    registration_id, session_id, code = _unused_ticket(live_app.app)
    qr = segno.make(format_code(code), error="m", micro=False)  # as park.tickets.qr_svg
    modules = [[1 if dark else 0 for dark in row] for row in qr.matrix]

    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai", is_mobile=True, has_touch=True)
    context.add_init_script(FAKE_CAMERA % json.dumps(modules))
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "committee-zh-scan-fallback", axe_source)
    sign_in_zh(page, "committee@parkwell.demo")
    page.goto(f"/park/sessions/{session_id}/checkin")

    camera = page.locator(".pk-camera")
    expect(camera).to_be_visible()
    assert page.evaluate("'BarcodeDetector' in window") is False
    expect(camera).to_have_attribute("data-reader", "jsqr")  # the fallback, chosen by the page
    expect(camera).to_have_attribute("data-jsqr", "/static/vendor/jsqr/jsQR.min.js")
    checked_in_before = int(page.locator("[data-count=checked_in]").inner_text())

    page.get_by_role("button", name=zh("Scan with the camera")).click()
    result = page.locator(".pk-result")
    expect(result).to_be_visible(timeout=20_000)  # read, submitted, answered
    assert "flash-success" in (result.get_attribute("class") or ""), result.inner_text()
    expect(page.locator("[data-count=checked_in]")).to_have_text(str(checked_in_before + 1))
    assert page.evaluate("sessionStorage.getItem('cameraOpened')") == "1"  # read, not typed
    # Nothing on the page is loaded from elsewhere.
    scripts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [s for s in scripts if not s.startswith(live_app.url)], scripts
    assert _checked_in(live_app.app, registration_id)
    # The phone's view (the page's autofocused code field would mislead Evidence's
    # first-Tab check, which the committee journey makes on another page).
    page.screenshot(path=screenshots_dir / "committee-zh-scan-fallback-checkin-390x844.png",
                    full_page=True)
    evidence.check_accessibility("checkin")
    context.close()
