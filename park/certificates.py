"""Course certificates as PDF (``reportlab``), their numbers and their public check.

A certificate's number is ``PW-<registration id>-<signature>``: the signature is an HMAC
(SHA-256) of the registration's id under a key derived from the app's secret (or
``PARK_CERTIFICATE_KEY``), so that nobody can make up a valid number by counting; the
public page ``/certificates/verify/<number>`` recomputes it. Rotating the key invalidates
every certificate printed before: set ``PARK_CERTIFICATE_KEY`` once and keep it.

Fonts are embedded: the first TrueType font found (``PARK_CERTIFICATE_FONT``, then the
usual places of CJK TrueType fonts, then DejaVu Sans) is subset into the PDF for every line
it has the glyphs of. reportlab cannot embed OpenType-CFF fonts (Noto Sans CJK's ``.ttc``),
so a line whose glyphs no TrueType font on the machine has (Chinese, where no CJK TrueType
font is installed) falls back to reportlab's built-in CID font STSong-Light, which is not
embedded (the reader's PDF viewer supplies the glyphs); that is logged once as a warning.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import reportlab
import segno
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas

from core.clock import to_zone
from core.db import db
from core.i18n import format_day
from health.models import Dependant
from park.errors import CertificateNotAvailable
from park.models import Event, EventKind, EventStatus, Registration

log = logging.getLogger(__name__)

CID_FONT = "STSong-Light"
EMBEDDED_FONT = "ParkWellCertificate"
#: TrueType fonts tried in turn when ``PARK_CERTIFICATE_FONT`` is not set or not usable:
#: CJK ones first (Debian's fonts-wqy-zenhei, fonts-arphic-uming, fonts-droid-fallback),
#: then DejaVu Sans, then Bitstream Vera, which reportlab itself ships, so that Latin text
#: is always embedded wherever ParkWell is installed.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # CFF: refused, logged
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"),
)
NUMBER_PREFIX = "PW"
_NUMBER = re.compile(r"^PW-(\d{1,10})-([A-Z2-7]{16})$")


# -- numbers -------------------------------------------------------------------------------


def _key() -> bytes:
    configured = current_app.config.get("PARK_CERTIFICATE_KEY")
    if configured:
        return str(configured).encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"parkwell park certificate numbers", hashlib.sha256).digest()


def _signature(registration_id: int) -> str:
    digest = hmac.new(_key(), f"certificate:{registration_id}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()[:10]).decode()  # 80 bits, 16 characters


def certificate_number(registration: Registration) -> str:
    return f"{NUMBER_PREFIX}-{registration.id:06d}-{_signature(registration.id)}"


@dataclass(frozen=True)
class CertificateCheck:
    """What the public verification page may show of a genuine certificate."""

    initials: str
    event: Event
    day: date


def initials(name: str) -> str:
    """"Li Wei" → "L. W."; "王小明" → "王**" (a Chinese name keeps its surname only)."""
    words = name.split()
    if len(words) > 1:
        return " ".join(f"{w[0].upper()}." for w in words)
    name = name.strip()
    if not name:
        return "?"
    if name.isascii():
        return f"{name[0].upper()}."
    return name[0] + "*" * (len(name) - 1)


def holder_name(registration: Registration) -> str:
    if registration.dependant_id is not None:
        dependant = db.session.get(Dependant, registration.dependant_id)
        if dependant is not None:
            return dependant.name
    return registration.user.display_name


def _day(registration: Registration) -> date:
    return to_zone(registration.session.starts_at, registration.event.park.timezone).date()


def verify(number: str) -> CertificateCheck | None:
    """The certificate with this number if it is genuine and still stands (a course,
    attended, not cancelled); None otherwise, whatever the reason (a forged signature, an
    unknown or withdrawn certificate), so that the page teaches a forger nothing."""
    match = _NUMBER.match(number.strip().upper())
    if match is None:
        return None
    registration_id, signature = int(match.group(1)), match.group(2)
    if not hmac.compare_digest(signature, _signature(registration_id)):
        return None
    registration = db.session.get(Registration, registration_id)
    if registration is None or not can_have_certificate(registration):
        return None
    return CertificateCheck(initials=initials(holder_name(registration)),
                            event=registration.event, day=_day(registration))


def can_have_certificate(registration: Registration) -> bool:
    event = registration.event
    return (event.kind is EventKind.COURSE and registration.checked_in_at is not None
            and event.status is not EventStatus.CANCELLED)


# -- fonts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fonts:
    embedded: str | None  #: the registered TrueType font's name, if one was found
    glyphs: frozenset[int]  #: the code points it has

    def for_text(self, text: str) -> str:
        if self.embedded and all(ord(c) in self.glyphs or c.isspace() for c in text):
            return self.embedded
        _warn_cid_once()
        return _cid_font()


@cache
def _cid_font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


@cache
def _warn_cid_once() -> None:
    log.warning("park certificates: no embeddable TrueType font has these glyphs (set "
                "PARK_CERTIFICATE_FONT to a CJK TrueType font); falling back to the "
                "non-embedded CID font %s", CID_FONT)


@cache
def _load_fonts(configured: str | None) -> Fonts:
    """Register the first usable TrueType font (once per process and setting)."""
    for path in ((configured,) if configured else ()) + FONT_CANDIDATES:
        if not Path(path).is_file():
            if path == configured:
                log.warning("park certificates: PARK_CERTIFICATE_FONT %s not found", path)
            continue
        try:
            font = TTFont(f"{EMBEDDED_FONT}-{Path(path).stem}", path,
                          subfontIndex=0)
        except TTFError as exc:
            log.warning("park certificates: cannot embed %s (%s)", path, exc)
            continue
        pdfmetrics.registerFont(font)
        return Fonts(embedded=font.fontName, glyphs=frozenset(font.face.charToGlyph))
    return Fonts(embedded=None, glyphs=frozenset())


def fonts() -> Fonts:
    return _load_fonts(current_app.config.get("PARK_CERTIFICATE_FONT") or None)


# -- the PDF -------------------------------------------------------------------------------


def _draw_qr(pdf: canvas.Canvas, url: str, *, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (no image library needed)."""
    qr = segno.make(url, error="m", micro=False)
    rows = list(qr.matrix_iter(scale=1, border=2))
    module = size / len(rows)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * module, y + size - (r + 1) * module, module, module,
                         stroke=0, fill=1)


def certificate_pdf(registration: Registration, *, locale: str,
                    verify_url: Callable[[str], str]) -> bytes:
    """Raises CertificateNotAvailable (not a course, or not attended). ``verify_url``
    turns the number into the verification page's address for the QR code."""
    if not can_have_certificate(registration):
        raise CertificateNotAvailable()
    event, number = registration.event, certificate_number(registration)
    faces, buffer = fonts(), io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=landscape(A4), pageCompression=1)

    def line(text: str, size: int, y: float) -> None:
        pdf.setFont(faces.for_text(text), size)
        pdf.drawCentredString(width / 2, y, text)

    with force_locale(locale):
        pdf.setTitle(_("Certificate of attendance"))
        pdf.setStrokeColorRGB(0.18, 0.49, 0.36)
        pdf.setLineWidth(4)
        pdf.rect(30, 30, width - 60, height - 60)
        line(_("Certificate of attendance"), 34, height - 130)
        line(holder_name(registration), 26, height - 220)
        line(_("attended the course %(title)s", title=event.title(locale)), 16, height - 270)
        line(format_day(_day(registration), "long"), 16, height - 300)
        committee = (event.park.committee_name_zh if locale.startswith("zh")
                     else event.park.committee_name_en) or event.park.name(locale)
        line(f"{event.park.name(locale)} · {committee}", 16, 110)
        line(_("Certificate number %(number)s", number=number), 9, 60)
        _draw_qr(pdf, verify_url(number), x=width - 150, y=50, size=90)
        note = _("Scan to verify")
        pdf.setFont(faces.for_text(note), 8)
        pdf.drawCentredString(width - 105, 44, note)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
