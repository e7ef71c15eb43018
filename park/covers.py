"""Events' cover images: checked by their content, not their name, and kept in the
database beside the event (as providers keep their licence documents).

An upload is accepted when its first bytes are a PNG, JPEG or WebP signature, its name (if
any) does not claim another type, it is at most ``MAX_COVER_BYTES``, and Pillow can read
its header with sane dimensions (at most ``MAX_SIDE`` pixels a side, which also refuses
decompression bombs). The stored type is the one read from the content, and the image is
served with it and ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import io
from datetime import datetime

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from core.accounts.models import User
from core.db import db
from core.policy import Action, require
from park.errors import CoverInvalid, CoverTooLarge
from park.models import Event, EventCover

MAX_COVER_BYTES = 2_000_000
MAX_SIDE = 6000
#: Magic numbers of the image types we accept, Pillow's name for each, and their endings.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG", (".jpg", ".jpeg")),
    (b"RIFF", "image/webp", "WEBP", (".webp",)),
)


def sniff_cover(content: bytes, filename: str = "") -> tuple[str, int, int]:
    """The image's type, width and height, read from its content. Raises CoverTooLarge,
    CoverInvalid (not an image we accept, a name that claims another type, or a broken
    header)."""
    if len(content) > MAX_COVER_BYTES:
        raise CoverTooLarge(fields={"cover": _("The image is larger than %(size)s MB.",
                                               size=MAX_COVER_BYTES // 1_000_000)})
    if not content:
        raise CoverInvalid(fields={"cover": _("The file is empty.")})
    name = (filename or "").lower()
    for magic, mime, pillow_format, endings in _SIGNATURES:
        if not content.startswith(magic) or (mime == "image/webp"
                                             and content[8:12] != b"WEBP"):
            continue
        if name and "." in name and not name.endswith(endings):
            raise CoverInvalid(fields={"cover": _(
                "The file's name does not match its content.")})
        width, height = _dimensions(content, pillow_format)
        return mime, width, height
    raise CoverInvalid(fields={"cover": _("Upload a PNG, JPEG or WebP image.")})


def _dimensions(content: bytes, pillow_format: str) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(content), formats=[pillow_format]) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise CoverInvalid(fields={"cover": _("The image could not be read.")}) from exc
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise CoverInvalid(fields={"cover": _(
            "The image must be at most %(side)s pixels on each side.", side=MAX_SIDE)})
    return width, height


def set_cover(event: Event, *, actor: User, content: bytes, filename: str,
              now: datetime) -> EventCover:
    """Upload or replace the event's cover. Raises NotFound, Forbidden, CoverTooLarge,
    CoverInvalid."""
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    mime, width, height = sniff_cover(content, filename)
    cover = event.cover or EventCover(event=event)
    cover.content, cover.content_type, cover.byte_size = content, mime, len(content)
    cover.width, cover.height, cover.updated_at = width, height, now
    db.session.add(cover)
    event.updated_at = now
    db.session.flush()
    return cover


def remove_cover(event: Event, *, actor: User, now: datetime) -> None:
    """Raises NotFound, Forbidden."""
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    if event.cover is not None:
        event.cover = None
        event.updated_at = now
        db.session.flush()
