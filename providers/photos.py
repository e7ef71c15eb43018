"""Provider photos: checked, resized with Pillow to two sizes (1200 px wide at most, and a
480×360 crop for cards), each kept as WebP and JPEG. The original is not kept, nor its
metadata (a phone's photo carries where it was taken)."""

from __future__ import annotations

import io
from datetime import datetime

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select

from core.accounts.models import ProviderOrganisation, User
from core.db import db
from core.policy import Action, require
from providers.errors import InvalidPhoto, PhotoNotFound, PhotoTooLarge, TooManyPhotos
from providers.models import ProviderPhoto

MAX_PHOTO_BYTES = 1_500_000
MAX_PHOTOS = 8
MAX_PIXELS = 40_000_000  #: larger is refused before it is decoded (a decompression bomb)
MIN_SIDE = 320
LARGE_WIDTH = 1200
SMALL_SIZE = (480, 360)
ACCEPTED = {"JPEG", "PNG", "WEBP"}
SIZES = ("large", "small")
FORMATS = {"webp": "image/webp", "jpg": "image/jpeg"}


def _open(content: bytes) -> Image.Image:
    if len(content) > MAX_PHOTO_BYTES:
        raise PhotoTooLarge(fields={"photo": _(
            "The photo is larger than %(size)s MB.", size=MAX_PHOTO_BYTES / 1_000_000)})
    try:
        image = Image.open(io.BytesIO(content))
        if image.format not in ACCEPTED:
            raise InvalidPhoto(fields={"photo": _("Upload a photo in JPEG, PNG or WebP.")})
        if image.width * image.height > MAX_PIXELS:
            raise PhotoTooLarge(fields={"photo": _("The photo has too many pixels.")})
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise InvalidPhoto(fields={"photo": _("This file is not a photo we can read.")}) from exc
    if min(image.size) < MIN_SIDE:
        raise InvalidPhoto(fields={"photo": _(
            "The photo is too small: at least %(pixels)s pixels on each side.",
            pixels=MIN_SIDE)})
    image = ImageOps.exif_transpose(image)  # as the phone showed it, then without EXIF
    return image.convert("RGB")


def _encode(image: Image.Image) -> tuple[bytes, bytes]:
    webp, jpeg = io.BytesIO(), io.BytesIO()
    image.save(webp, "WEBP", quality=78, method=4)
    image.save(jpeg, "JPEG", quality=80, optimize=True, progressive=True)
    return webp.getvalue(), jpeg.getvalue()


def photos_of(provider: ProviderOrganisation) -> list[ProviderPhoto]:
    return list(db.session.scalars(select(ProviderPhoto).where(
        ProviderPhoto.provider_id == provider.id).order_by(ProviderPhoto.position,
                                                           ProviderPhoto.id)))


def first_photo_ids(provider_ids: list[int]) -> dict[int, int]:
    """Each provider's first photo (its cover), by provider id."""
    if not provider_ids:
        return {}
    rows = db.session.execute(select(ProviderPhoto.provider_id, ProviderPhoto.id).where(
        ProviderPhoto.provider_id.in_(provider_ids)).order_by(
        ProviderPhoto.provider_id, ProviderPhoto.position, ProviderPhoto.id)).all()
    covers: dict[int, int] = {}
    for provider_id, photo_id in rows:
        covers.setdefault(provider_id, photo_id)
    return covers


def add_photo(provider: ProviderOrganisation, content: bytes, *, actor: User | None,
              alt_zh: str = "", alt_en: str = "", now: datetime) -> ProviderPhoto:
    """Check, resize and keep a photo. Raises Forbidden, InvalidPhoto, PhotoTooLarge,
    TooManyPhotos; a refused photo writes nothing. ``actor`` None: the demo seed."""
    if actor is not None:
        require(actor, Action.MANAGE_PROVIDER, provider)
    count = db.session.scalar(select(func.count(ProviderPhoto.id)).where(
        ProviderPhoto.provider_id == provider.id))
    if count >= MAX_PHOTOS:
        raise TooManyPhotos()
    image = _open(content)
    large = image.copy()
    large.thumbnail((LARGE_WIDTH, LARGE_WIDTH), Image.Resampling.LANCZOS)
    small = ImageOps.fit(image, SMALL_SIZE, Image.Resampling.LANCZOS)
    large_webp, large_jpeg = _encode(large)
    small_webp, small_jpeg = _encode(small)
    photo = ProviderPhoto(provider_id=provider.id, position=count, alt_zh=alt_zh[:200],
                          alt_en=alt_en[:200], width=large.width, height=large.height,
                          large_webp=large_webp, large_jpeg=large_jpeg,
                          small_webp=small_webp, small_jpeg=small_jpeg,
                          uploaded_by_id=actor.id if actor else None, created_at=now)
    db.session.add(photo)
    db.session.flush()
    return photo


def get_photo(photo_id: int) -> ProviderPhoto:
    photo = db.session.get(ProviderPhoto, photo_id) if 0 < photo_id < 2**31 else None
    if photo is None:
        raise PhotoNotFound()
    return photo


def remove_photo(photo: ProviderPhoto, *, actor: User) -> None:
    require(actor, Action.MANAGE_PROVIDER, photo.provider)
    db.session.delete(photo)
    db.session.flush()


def image_bytes(photo: ProviderPhoto, size: str, fmt: str) -> bytes:
    return getattr(photo, f"{size}_{'webp' if fmt == 'webp' else 'jpeg'}")
