"""Course certificates as PDF (``reportlab``), their numbers and their public check.

A certificate's number is ``PW-<registration id>-<signature>``: the signature is an HMAC
(SHA-256) of the registration's id under a key derived from the app's secret (or
``PARK_CERTIFICATE_KEY``), so that nobody can make up a valid number by counting; the
public page ``/certificates/verify/<number>`` recomputes it. Rotating the key invalidates
every certificate printed before: set ``PARK_CERTIFICATE_KEY`` once and keep it.

Fonts are embedded: every character is drawn in the first of the certificate's TrueType
fonts that has its glyph, and each font used is subset into the PDF. The fonts are
``PARK_CERTIFICATE_FONT`` when set, the first CJK TrueType font found (the usual places of
Debian's fonts-droid-fallback, fonts-wqy-*, fonts-arphic-*, then any ``.ttf``/``.ttc`` under
the system's font folders that has Chinese glyphs) and a Latin one (DejaVu Sans, else the
Bitstream Vera that reportlab ships). Several fonts are needed because the CJK TrueType fonts
Debian ships may have no Latin letters at all (Droid Sans Fallback has none). reportlab cannot
embed OpenType-CFF fonts (Noto Sans CJK's ``.ttc``), so where no CJK TrueType font is
installed, Chinese falls back to reportlab's built-in CID font STSong-Light, which is not
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
#: TrueType fonts tried in turn when ``PARK_CERTIFICATE_FONT`` is not set or lacks glyphs:
#: CJK ones first (Debian's fonts-wqy-zenhei, fonts-wqy-microhei, fonts-arphic-uming,
#: fonts-droid-fallback), then DejaVu Sans, then Bitstream Vera, which reportlab itself
#: ships, so that Latin text is always embedded wherever ParkWell is installed.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # CFF: refused, logged
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"),
)
#: Where other TrueType fonts are looked for when no candidate has Chinese glyphs.
FONT_FOLDERS = ("/usr/share/fonts/truetype", "/usr/local/share/fonts")
#: A font "has Chinese" when it has these (the certificate's own words among them).
CJK_PROBE = "证书出席课程编号中文"
LATIN_PROBE = "AZaz09"
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
class Font:
    name: str  #: as registered with reportlab
    glyphs: frozenset[int]  #: the code points it has

    def has(self, text: str) -> bool:
        return all(ord(c) in self.glyphs for c in text)


@dataclass(frozen=True)
class Fonts:
    faces: tuple[Font, ...]  #: the embedded TrueType fonts, in order of preference

    @property
    def embedded(self) -> str | None:
        """The first embedded font's name, if any was found."""
        return self.faces[0].name if self.faces else None

    def font_of(self, char: str) -> str:
        for face in self.faces:
            if ord(char) in face.glyphs:
                return face.name
        if char.isspace() and self.faces:
            return self.faces[0].name
        _warn_cid_once()
        return _cid_font()

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` as (font, piece) runs: each character in the first font that has it."""
        runs: list[tuple[str, str]] = []
        for char in text:
            font = (runs[-1][0] if runs and char.isspace() else self.font_of(char))
            if runs and runs[-1][0] == font:
                runs[-1] = (font, runs[-1][1] + char)
            else:
                runs.append((font, char))
        return runs


@cache
def _cid_font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


@cache
def _warn_cid_once() -> None:
    log.warning("park certificates: no embeddable TrueType font has these glyphs (set "
                "PARK_CERTIFICATE_FONT to a CJK TrueType font, or install "
                "fonts-droid-fallback); falling back to the non-embedded CID font %s", CID_FONT)


def _open_font(path: str, *, quiet: bool = False) -> Font | None:
    """The TrueType font at ``path`` (the first face of a collection), registered; None
    when it is not a file or reportlab cannot embed it (OpenType-CFF)."""
    try:
        font = TTFont(f"{EMBEDDED_FONT}-{Path(path).stem}", path, subfontIndex=0)
    except (TTFError, OSError) as exc:
        if not quiet:
            log.warning("park certificates: cannot embed %s (%s)", path, exc)
        return None
    pdfmetrics.registerFont(font)
    return Font(name=font.fontName, glyphs=frozenset(font.face.charToGlyph))


def _other_fonts() -> list[str]:
    """TrueType files under the system's font folders, in a stable order."""
    found: list[str] = []
    for folder in FONT_FOLDERS:
        root = Path(folder)
        if root.is_dir():
            found += sorted(str(p) for p in root.rglob("*")
                            if p.suffix.lower() in (".ttf", ".ttc") and p.is_file())
    return found


@cache
def _load_fonts(configured: str | None) -> Fonts:
    """The configured font, then the first CJK and the first Latin TrueType fonts found
    (once per process and setting)."""
    faces: list[Font] = []
    if configured:
        if Path(configured).is_file():
            font = _open_font(configured)
            faces += [font] if font else []
        else:
            log.warning("park certificates: PARK_CERTIFICATE_FONT %s not found", configured)

    def covered(probe: str) -> bool:
        return any(face.has(probe) for face in faces)

    opened: dict[str, Font | None] = {}
    for probe in (CJK_PROBE, LATIN_PROBE):
        for path in FONT_CANDIDATES:
            if covered(probe):
                break
            if path not in opened and Path(path).is_file():
                opened[path] = _open_font(path)
            font = opened.get(path)
            if font is not None and font.has(probe) and font not in faces:
                faces.append(font)
    if not covered(CJK_PROBE):
        for path in _other_fonts():
            font = _open_font(path, quiet=True)
            if font is not None and font.has(CJK_PROBE):
                faces.append(font)
                break
    return Fonts(faces=tuple(faces))


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

    def line(text: str, size: int, y: float, centre: float = width / 2) -> None:
        """``text`` centred on ``centre``, each run in a font that has its glyphs."""
        runs = faces.runs(text)
        x = centre - sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in runs) / 2
        for font, piece in runs:
            pdf.setFont(font, size)
            pdf.drawString(x, y, piece)
            x += pdfmetrics.stringWidth(piece, font, size)

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
        line(_("Scan to verify"), 8, 44, centre=width - 105)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
