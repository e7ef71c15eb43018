"""The marketplace's share of a person's export and account deletion (``core.accounts.
personal_data``): the reviews they wrote. On deletion a review keeps its stars (they count in
the service's rating) and loses its words, which were the person's own; the author shown is the
anonymised account."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from core.accounts.models import User
from core.accounts.personal_data import Section, register_field_labels, register_section
from core.db import db
from marketplace.models import Review
from providers.models import Service

#: The readable export's words for this section's keys.
LABELS = {
    "stars": _l("Stars"), "text": _l("Review"), "reply": _l("Reply"),
}

def export_reviews(user: User, _now: datetime) -> list[dict]:
    rows = db.session.execute(select(Review, Service.title_en, Service.title_zh)
                              .join(Service, Review.service_id == Service.id)
                              .where(Review.author_id == user.id)
                              .order_by(Review.created_at, Review.id)).all()
    return [{"service": title, "service_zh": title_zh, "stars": r.stars, "text": r.text,
             "created_at": r.created_at.isoformat(), "reply": r.reply_text}
            for r, title, title_zh in rows]


def erase(user: User, _now: datetime) -> None:
    db.session.execute(update(Review).where(Review.author_id == user.id).values(text=""))


def init_app(app: Flask) -> None:
    register_field_labels(app, LABELS)
    register_section(app, Section(key="reviews", title=_l("Reviews"), export=export_reviews,
                                  erase=erase, order=70))
