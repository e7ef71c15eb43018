"""Forms for the catalogue's filters and for reviews."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.forms import choices
from marketplace.catalogue import MAX_QUERY
from providers.models import CATEGORY_LABELS, DELIVERY_MODE_LABELS, LANGUAGE_LABELS

REQUIRED = _l("This field is required.")

SORT_LABELS = [("recommended", _l("Recommended")), ("soonest", _l("Soonest available")),
               ("price_asc", _l("Price: low to high")), ("price_desc", _l("Price: high to low")),
               ("rating", _l("Rating"))]
TIME_LABELS = [("", _l("Any time")), ("morning", _l("Morning")),
               ("afternoon", _l("Afternoon")), ("evening", _l("Evening"))]
FOR_WHOM_LABELS = [("me", _l("Me")), ("child", _l("My child")), ("parent", _l("My parent"))]


class CatalogueForm(FlaskForm):
    """The filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    #: A bound against abuse only; ``catalogue.check`` explains its own, shorter limit.
    q = StringField(_l("Search"), validators=[Optional(), Length(max=3000, message=_l(
        "Search with at most %(count)s characters; shorten your search.", count=MAX_QUERY))])
    category = SelectField(_l("Category"), validators=[Optional()], validate_choice=False,
                           choices=choices([("", _l("All categories")),
                                            *((c.value, label) for c, label in
                                              CATEGORY_LABELS.items())]))
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    time_of_day = SelectField(_l("Time of day"), validators=[Optional()],
                              validate_choice=False, choices=choices(TIME_LABELS))
    price_min = DecimalField(_l("Lowest price (yuan)"), places=2, validators=[Optional()])
    price_max = DecimalField(_l("Highest price (yuan)"), places=2, validators=[Optional()])
    covered = BooleanField(_l("Fully covered by my budget"))
    delivery_mode = SelectField(_l("Where"), validators=[Optional()], validate_choice=False,
                                choices=choices([("", _l("Anywhere")),
                                                 *((m.value, label) for m, label in
                                                   DELIVERY_MODE_LABELS.items())]))
    language = SelectField(_l("Language"), validators=[Optional()], validate_choice=False,
                           choices=choices([("", _l("Any language")),
                                            *LANGUAGE_LABELS.items()]))
    for_whom = SelectField(_l("For whom"), validators=[Optional()], validate_choice=False,
                           choices=choices(FOR_WHOM_LABELS))
    min_rating = IntegerField(_l("At least this many stars"), validators=[Optional()])
    sort = SelectField(_l("Sort by"), validators=[Optional()], validate_choice=False,
                       choices=choices(SORT_LABELS))
    page = IntegerField(validators=[Optional()])


class ReviewForm(FlaskForm):
    stars = IntegerField(_l("Stars (1 to 5)"), validators=[
        DataRequired(REQUIRED), NumberRange(min=1, max=5, message=_l("Give from 1 to 5 stars."))])
    text = TextAreaField(_l("Your review"), validators=[Optional(), Length(max=2000)])


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Your reply"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class HideForm(FlaskForm):
    reason = StringField(_l("Why hide it?"), validators=[DataRequired(REQUIRED),
                                                         Length(max=300)])
