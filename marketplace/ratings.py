"""Each service's rating: the count and the sum of stars of its visible reviews, kept on
one row per service (``ServiceRating``) as reviews are written and hidden. Increments,
not recounts, so that two reviews written at once both count (the row's update
serialises them). ``check`` and ``rebuild`` compare and recompute it from the reviews."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select

from core.db import db, upsert_insert
from marketplace.models import Review, ServiceRating


def stars_tenths(stars_sum, reviews):
    """Average stars rounded half up to one decimal, in tenths, in integer arithmetic so
    that SQLite and PostgreSQL (and the cards and the sort) agree on every tie. Works on
    Python integers and on SQL expressions alike."""
    return (stars_sum * 20 + reviews) // (reviews * 2)


def count_in(review: Review) -> None:
    """A visible review joins its service's rating."""
    _add(review.service_id, 1, review.stars)


def count_out(review: Review) -> None:
    """A review hidden by the park leaves its service's rating."""
    _add(review.service_id, -1, -review.stars)


def _add(service_id: int, reviews: int, stars: int) -> None:
    db.session.execute(upsert_insert(ServiceRating).values(
        service_id=service_id, reviews=reviews, stars_sum=stars).on_conflict_do_update(
        index_elements=["service_id"],
        set_={"reviews": ServiceRating.reviews + reviews,
              "stars_sum": ServiceRating.stars_sum + stars}))


def ratings(service_ids: list[int]) -> dict[int, tuple[float, int]]:
    """Average stars (one decimal) and count of visible reviews, per service that has
    any."""
    if not service_ids:
        return {}
    rows = db.session.execute(select(ServiceRating.service_id, ServiceRating.stars_sum,
                                     ServiceRating.reviews)
                              .where(ServiceRating.service_id.in_(service_ids),
                                     ServiceRating.reviews > 0)).all()
    return {sid: (stars_tenths(stars, count) / 10, count) for sid, stars, count in rows}


def _from_reviews():
    return (select(Review.service_id, func.count(Review.id), func.sum(Review.stars))
            .where(Review.hidden_at.is_(None)).group_by(Review.service_id))


def rebuild() -> int:
    """Recount every service's rating from its reviews (after a bulk load); returns the
    number of rated services. Run it inside one transaction."""
    db.session.execute(delete(ServiceRating))
    db.session.execute(insert(ServiceRating).from_select(
        ["service_id", "reviews", "stars_sum"], _from_reviews()))
    return db.session.scalar(select(func.count()).select_from(ServiceRating)) or 0


def check() -> list[str]:
    """Where the kept ratings and the reviews disagree (nothing, when all is well)."""
    derived = {sid: (count, stars) for sid, count, stars in db.session.execute(_from_reviews())}
    kept = {row.service_id: (row.reviews, row.stars_sum)
            for row in db.session.scalars(select(ServiceRating)) if row.reviews or row.stars_sum}
    return [f"service {sid}: rating {kept.get(sid, (0, 0))} but reviews say "
            f"{derived.get(sid, (0, 0))}" for sid in sorted(derived.keys() | kept.keys())
            if kept.get(sid, (0, 0)) != derived.get(sid, (0, 0))]
