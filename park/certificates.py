"""Course certificates as PDF (``reportlab``: its built-in Adobe CID font STSong-Light
writes Chinese without shipping or embedding a font file; readers supply the glyphs)."""

from __future__ import annotations

import io
from functools import cache

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from core.clock import to_zone
from core.db import db
from health.models import Dependant
from park.errors import CertificateNotAvailable
from park.models import EventKind, EventStatus, Registration

FONT = "STSong-Light"


@cache
def _font() -> str:
    """Register the font once per process."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def can_have_certificate(registration: Registration) -> bool:
    event = registration.event
    return (event.kind is EventKind.COURSE and registration.checked_in_at is not None
            and event.status is not EventStatus.CANCELLED)


def certificate_pdf(registration: Registration, *, locale: str) -> bytes:
    """Raises CertificateNotAvailable (not a course, or not attended)."""
    if not can_have_certificate(registration):
        raise CertificateNotAvailable()
    event, session = registration.event, registration.session
    name = registration.user.display_name
    if registration.dependant_id is not None:
        dependant = db.session.get(Dependant, registration.dependant_id)
        name = dependant.name if dependant is not None else name
    day = to_zone(session.starts_at, event.park.timezone).date().isoformat()
    font, buffer = _font(), io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=landscape(A4), pageCompression=1)
    with force_locale(locale):
        pdf.setTitle(_("Certificate of attendance"))
        pdf.setStrokeColorRGB(0.18, 0.49, 0.36)
        pdf.setLineWidth(4)
        pdf.rect(30, 30, width - 60, height - 60)
        pdf.setFont(font, 34)
        pdf.drawCentredString(width / 2, height - 130, _("Certificate of attendance"))
        pdf.setFont(font, 26)
        pdf.drawCentredString(width / 2, height - 220, name)
        pdf.setFont(font, 16)
        pdf.drawCentredString(width / 2, height - 270,
                              _("attended the course %(title)s", title=event.title(locale)))
        pdf.drawCentredString(width / 2, height - 300, day)
        committee = (event.park.committee_name_zh if locale.startswith("zh")
                     else event.park.committee_name_en) or event.park.name(locale)
        pdf.drawCentredString(width / 2, 110, f"{event.park.name(locale)} · {committee}")
        pdf.setFont(font, 9)
        pdf.drawCentredString(width / 2, 60, _("Certificate number %(number)s",
                                               number=f"PW-{registration.id:06d}"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
