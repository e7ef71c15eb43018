"""The employee's home, the catalogue, service pages and reviews."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from benefits.money_input import yuan_to_minor
from booking import choosing, eligibility
from booking.models import Booking
from booking.queries import own_booking
from core.accounts.models import Role
from core.clock import today_in, utcnow, zone_of
from core.db import replica_reads
from core.errors import DomainError
from core.i18n import current_locale_code
from core.navigation import more_for, nav_for
from core.policy import Action, can
from core.web import active_membership, refuse
from health.texts import reason_text
from marketplace import cards, catalogue, events, ratings, reviews, searcher
from marketplace import home as home_data
from marketplace.forms import CatalogueForm, HideForm, ReplyForm, ReviewForm
from marketplace.searcher import need_tags_of
from providers import photos
from providers import queries as provider_queries
from providers.models import CATEGORY_LABELS, DELIVERY_MODE_LABELS, CredentialStatus

bp = Blueprint("marketplace", __name__)

#: The form's field for each filter the catalogue may refuse, where the names differ.
FORM_FIELDS = {"price_min_minor": "price_min", "price_max_minor": "price_max"}


@bp.route("/")
@login_required
def home():
    membership = active_membership()
    if membership is not None and membership.role is Role.EMPLOYEE:
        data = home_data.employee_home(current_user, now=utcnow(), today=today_in(),
                                       language=current_locale_code())
        return render_template("marketplace/employee_home.html", data=data,
                               events=events.this_week(current_user, now=utcnow()),
                               category_labels=CATEGORY_LABELS, reason_text=reason_text)
    return render_template("marketplace/home.html", membership=membership,
                           shortcuts=nav_for(membership), user=current_user)


@bp.route("/me")
@login_required
def me():
    """The "me" tab: every place of the role that is not a tab, the account, sign out."""
    membership = active_membership()
    return render_template("marketplace/me.html", membership=membership,
                           more=more_for(membership))


def query_from(form: CatalogueForm) -> catalogue.CatalogueQuery:
    """The search as the service reads it; prices typed in yuan become fen."""
    def price(field):
        return None if field.data is None else yuan_to_minor(field.data)

    return catalogue.CatalogueQuery(
        q=form.q.data or "", category=form.category.data or None,
        date_from=form.date_from.data, date_to=form.date_to.data,
        time_of_day=form.time_of_day.data or None, price_min_minor=price(form.price_min),
        price_max_minor=price(form.price_max), covered_by_budget=bool(form.covered.data),
        delivery_mode=form.delivery_mode.data or None, language=form.language.data or None,
        for_whom=form.for_whom.data or "me", min_rating=form.min_rating.data,
        sort=form.sort.data or "recommended", page=form.page.data or 1)


@bp.route("/catalogue")
@login_required
def catalogue_page():
    form = CatalogueForm(request.args)
    result, found_events, status = None, [], 200
    if form.validate():
        try:
            query = query_from(form)
            timezone = zone_of()
            today = today_in()
            result = catalogue.search(current_user, query, now=utcnow(), today=today,
                                      timezone=timezone,
                                      need_tags=need_tags_of(current_user, today=today))
            found_events = events.events_for_search(current_user, query, now=utcnow(),
                                                    timezone=timezone)
        except DomainError as exc:
            # Each reason beside its field; a refused search alone needs no other message.
            refuse(exc, say=exc.fields.keys() != {"q"})
            for name, message in exc.fields.items():
                shown = getattr(form, FORM_FIELDS.get(name, name), None)
                if shown is not None:
                    shown.errors = [*shown.errors, message]
            status = exc.status
    else:
        flash(_("Some of the search filters are not valid."), "error")
        status = 422
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("marketplace/catalogue.html", form=form, result=result, args=args,
                           filtering=_filtering(args) or any(
                               f.errors for f in form if f.name != "q"),
                           events=found_events, category_labels=CATEGORY_LABELS,
                           covers=cards.covers(result.cards) if result else {}), status


#: What the filters say when the person chose nothing (the search form sends them all).
_UNFILTERED = {"q": None, "sort": "recommended", "for_whom": "me"}


def _filtering(args: dict[str, str]) -> bool:
    """Whether the search asks for more than words: the filters are then shown open; on a
    phone, closed filters keep the results on the first screen."""
    return any(value and _UNFILTERED.get(name, "") != value and name != "q"
               for name, value in args.items())


@bp.route("/providers/<int:provider_id>")
@login_required
def provider_page(provider_id: int):
    """A provider as employees see it: its story and photos, where it is, its verified
    practitioners and checked credentials, its services as cards, and its reviews. Only
    what is published: inactive services and unverified practitioners stay out."""
    provider = provider_queries.provider_for(current_user, provider_id, Action.VIEW_PROVIDER)
    services = provider_queries.services_of(provider, listed_only=True)
    found = cards.cards_for(current_user, services, now=utcnow(), today=today_in(),
                            timezone=zone_of())
    rated = [c for c in found if c.reviews]
    count = sum(c.reviews for c in rated)
    rating = (round(sum(c.rating * c.reviews for c in rated) / count, 1), count) if count \
        else None
    credentials = [c for c in provider_queries.credentials_of(provider)
                   if c.status is CredentialStatus.APPROVED and c.expires_on >= today_in()]
    return render_template(
        "marketplace/provider.html", provider=provider,
        profile=provider_queries.profile_or_none(provider),
        photos=photos.photos_of(provider), cards=found, covers=cards.covers(found),
        rating=rating, reviews=reviews.provider_reviews(provider.id),
        practitioners=provider_queries.practitioners_of(provider, listed_only=True),
        credentials=credentials, categories=provider_queries.categories_of(provider),
        category_labels=CATEGORY_LABELS, venue_labels=DELIVERY_MODE_LABELS)


@bp.route("/services/<int:service_id>")
@login_required
def service_page(service_id: int):
    service = provider_queries.service_for(current_user, service_id, Action.VIEW_PROVIDER)
    now = utcnow()
    rated = ratings.ratings([service.id]).get(service.id)
    budget = searcher.budget_by_category(current_user, today=today_in())
    covers = None if budget is None else min(service.price_minor,
                                             budget.get(service.category.value, 0))
    timezone = service.provider.park.timezone
    can_book = can(current_user, Action.BOOK_SERVICE, service.provider)
    with replica_reads():  # shown, not promised: booking checks the place on the primary
        chooser = choosing.choose(service, today=today_in(service.provider.park, now=now),
                                  first=choosing.parse_day(request.args.get("first")),
                                  day=choosing.parse_day(request.args.get("day")),
                                  timezone=timezone, now=now)
    return render_template(
        "marketplace/service.html", service=service, rating=rated, covers=covers,
        chooser=chooser, chips=choosing.time_chips(chooser.times), can_book=can_book,
        hint=eligibility.eligibility_hint(service, client=current_user, on=now,
                                          timezone=timezone) if can_book else None,
        picker_endpoint="marketplace.service_page",
        reviews=reviews.visible_reviews(service.id),
        credentials=provider_queries.credentials_of(service.provider),
        profile=provider_queries.profile_or_none(service.provider),
        reply_form=ReplyForm(), hide_form=HideForm(), category_labels=CATEGORY_LABELS,
        can_moderate=can(current_user, Action.MODERATE_REVIEWS, service.provider))


def _own_booking(booking_id: int) -> Booking:
    return own_booking(current_user, booking_id)


@bp.route("/bookings/<int:booking_id>/review", methods=["GET", "POST"])
@login_required
def review_booking(booking_id: int):
    booking = _own_booking(booking_id)
    form = ReviewForm()
    status = 200
    if form.validate_on_submit():
        try:
            reviews.write_review(booking, actor=current_user, stars=form.stars.data,
                                 text=form.text.data or "", now=utcnow())
        except DomainError as exc:
            refuse(exc)
            status = exc.status
        else:
            flash(_("Thank you for your review."), "success")
            return redirect(url_for("marketplace.service_page", service_id=booking.service_id))
    elif form.errors:
        status = 400
    return render_template("marketplace/review.html", booking=booking, form=form), status


@bp.route("/reviews/<int:review_id>/reply", methods=["POST"])
@login_required
def reply_to_review(review_id: int):
    review = reviews.get_review(review_id)
    form = ReplyForm()
    if form.validate_on_submit():
        reviews.reply(review, actor=current_user, text=form.text.data, now=utcnow())
        flash(_("Your reply is published."), "success")
    else:
        flash(_("Some of the information given is not valid."), "error")
    return redirect(url_for("marketplace.service_page", service_id=review.service_id))


@bp.route("/reviews/<int:review_id>/hide", methods=["POST"])
@login_required
def hide_review(review_id: int):
    review = reviews.get_review(review_id)
    form = HideForm()
    if form.validate_on_submit():
        reviews.hide(review, actor=current_user, reason=form.reason.data, now=utcnow())
        flash(_("The review is hidden."), "success")
    else:
        flash(_("Some of the information given is not valid."), "error")
    return redirect(url_for("marketplace.service_page", service_id=review.service_id))

