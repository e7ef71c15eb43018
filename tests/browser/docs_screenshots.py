"""Copy a handful of the journeys' latest screenshots into docs/screenshots/ for the
README: the top of each page (at most one and a half screens), as small palette PNGs.

    bash .ci/browser && .venv/bin/python -m tests.browser.docs_screenshots [NAME ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "test-artifacts" / "screenshots"
TARGET = ROOT / "docs" / "screenshots"
CHOSEN = [
    "employee-health-overview-390x844",
    "employee-checkout-390x844",
    "employee-refunds-390x844",
    "checkout-card-booking-sheet-390x844",
    "checkout-card-checkout-390x844",
    "checkout-card-paid-390x844",
    "checkout-declined-failed-390x844",
    "checkout-alipay-390x844",
    "checkout-wechat-qr-390x844",
    "top-up-card-390x844",
    "top-up-paid-390x844",
    "provider-dashboard-1280x800",
    "provider-week-view-1280x800",
    "committee-checkin-390x844",
    "committee-reports-1280x800",
    "committee-zh-comments-390x844",
    "committee-zh-venue-refused-390x844",
    "enterprise-admin-roster-import-progress-1280x800",
    "enterprise-admin-roster-error-1280x800",
    "enterprise-admin-report-1280x800",
    "admin-holidays-390x844",
    "provider-hours-editor-390x844",
    "provider-hours-refused-390x844",
    "provider-hours-week-strip-390x844",
    "provider-hours-month-calendar-390x844",
    "provider-bookings-390x844",
    "provider-statement-390x844",
    "shell-home-390x844",
    "shell-catalogue-390x844",
    "shell-service-cards-390x844",
    "shell-provider-390x844",
    "shell-me-390x844",
    "choosing-eligibility-390x844",
    "choosing-day-strip-390x844",
    "choosing-confirm-390x844",
    "choosing-booked-390x844",
    "choosing-cancel-confirm-390x844",
    "search-anmo-390x844=search-390x844",
    "hr-rules-programme-390x844",
    "hr-rules-refused-390x844",
    "hr-rules-editor-390x844",
    "employee-budget-explained-390x844",
    "enterprise-admin-programme-390x844",
    "new-joiner-signup-390x844",
    "new-joiner-budget-390x844",
    "new-joiner-day-strip-390x844",
    "new-joiner-confirm-390x844",
    "new-joiner-checkout-390x844",
    "new-joiner-booked-390x844",
    "review-booked-390x844",
    "review-prompt-390x844",
    "review-form-390x844",
    "review-published-390x844",
]


def main(names: list[str] | None = None) -> None:
    """Copy ``names`` (all the chosen ones by default)."""
    TARGET.mkdir(parents=True, exist_ok=True)
    for chosen in names or CHOSEN:
        name, _, target = chosen.partition("=")  # "source=target" saves under another name
        with Image.open(SOURCE / f"{name}.png") as image:
            width = image.width
            screen = 844 if width == 390 else 800
            top = image.crop((0, 0, width, min(image.height, int(screen * 1.5))))
            small = top.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
            small.save(TARGET / f"{target or name}.png", optimize=True)
        print(TARGET / f"{target or name}.png")


if __name__ == "__main__":
    main(sys.argv[1:])
