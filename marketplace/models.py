"""Marketplace models: reviews of attended bookings, and each service's rating."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import ProviderOrganisation, User
from core.db import Model, UTCDateTime


class Review(Model):
    """One review per attended booking: stars and text; one reply from the provider; the
    park may hide it (with a reason), and then it counts and shows nowhere."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_one_to_five"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(String(300))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    service_provider: Mapped[ProviderOrganisation] = relationship()

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None

    @property
    def author_display(self) -> str:
        """Reviews show a first character and a mark, never a full name."""
        name = self.author.display_name or "?"
        return name[0] + "**"


class ServiceRating(Model):
    """A service's visible reviews, counted as they are written and hidden
    (``marketplace.ratings``), so that the catalogue sorts and shows stars without summing
    every review on every search. Derived from ``reviews``; a service without one has no
    visible review."""

    __tablename__ = "service_ratings"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    stars_sum: Mapped[int] = mapped_column(Integer, default=0)
