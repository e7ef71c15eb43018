"""One form per park use-case. Forms check shape only; the services own the rules.

Times are entered as wall-clock times in the park's zone (``datetime-local``) and turned
into aware UTC with ``LocalDateTimeField.in_zone``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from core.forms import choices
from park.models import EVENT_KIND_LABELS

REQUIRED = _l("This field is required.")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class LocalDateTimeField(StringField):
    """A ``datetime-local`` input: a naive wall-clock time, placed in a zone later."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"type": "datetime-local"})
        super().__init__(label, validators, **kwargs)
        self.wall: datetime | None = None

    def pre_validate(self, form) -> None:
        self.wall = None
        if not self.data:
            return
        try:
            value = datetime.fromisoformat(self.data)  # a wall-clock time, zoned later
        except ValueError as exc:
            raise ValidationError(_l("Enter a date and time.")) from exc
        if value.tzinfo is not None or not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValidationError(_l("Enter a date and time."))
        self.wall = value

    def in_zone(self, timezone: str) -> datetime | None:
        return None if self.wall is None else self.wall.replace(tzinfo=ZoneInfo(timezone))


class VenueForm(FlaskForm):
    name_zh = StringField(_l("Venue name (Chinese)"), validators=[DataRequired(REQUIRED),
                                                            Length(max=200)])
    name_en = StringField(_l("Venue name (English)"), validators=[DataRequired(REQUIRED),
                                                            Length(max=200)])
    location = StringField(_l("Where it is"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(_l("Capacity (people)"),
                            validators=[DataRequired(REQUIRED), NumberRange(min=1, max=100000)])


class EventForm(FlaskForm):
    title_zh = StringField(_l("Event title (Chinese)"), validators=[DataRequired(REQUIRED),
                                                              Length(max=200)])
    title_en = StringField(_l("Event title (English, optional)"),
                           validators=[Optional(), Length(max=200)])
    description_zh = TextAreaField(_l("Description (Chinese)"),
                                   validators=[Optional(), Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"),
                                   validators=[Optional(), Length(max=5000)])
    kind = SelectField(_l("Kind"), choices=choices(EVENT_KIND_LABELS.items()),
                       validators=[DataRequired(REQUIRED)])
    family_places = IntegerField(_l("Family members each employee may bring (0: employees "
                                    "only)"), default=0,
                                 validators=[Optional(), NumberRange(min=0, max=5)])
    registration_opens_at = LocalDateTimeField(_l("Registration opens"),
                                               validators=[DataRequired(REQUIRED)])
    registration_closes_at = LocalDateTimeField(_l("Registration closes"),
                                                validators=[DataRequired(REQUIRED)])
    audience = SelectMultipleField(_l("Open to (none chosen: every enterprise of the park)"),
                                   coerce=int, validate_choice=True)
    price = DecimalField(_l("Price per person in yuan (0: free)"), places=2, default=Decimal("0"),
                         render_kw={"inputmode": "decimal"}, validators=[Optional(), NumberRange(
                             min=0, max=100_000,
                             message=_l("Enter a price between 0 and 100,000 yuan."))])
    currency = SelectField(_l("Currency"), choices=choices([("CNY", "CNY")]), default="CNY",
                           validators=[DataRequired(REQUIRED)])


class CoverForm(FlaskForm):
    cover = FileField(_l("Cover image (PNG, JPEG or WebP, at most 2 MB)"),
                      validators=[FileRequired(REQUIRED)])


class PayForm(FlaskForm):
    """Pay for a held place (only the CSRF token: the split is worked out again)."""


class SessionForm(FlaskForm):
    title_zh = StringField(_l("Session title (Chinese, optional)"),
                           validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Session title (English, optional)"),
                           validators=[Optional(), Length(max=200)])
    venue_id = SelectField(_l("Venue"), coerce=int, validators=[DataRequired(REQUIRED)])
    starts_at = LocalDateTimeField(_l("Starts"), validators=[DataRequired(REQUIRED)])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[DataRequired(REQUIRED)])
    capacity = IntegerField(_l("Capacity (people)"),
                            validators=[DataRequired(REQUIRED), NumberRange(min=1, max=100000)])


class CancelEventForm(FlaskForm):
    reason = StringField(_l("Reason (sent to registrants)"),
                         validators=[Optional(), Length(max=500)])


class CancelSessionForm(FlaskForm):
    """Cancel one session (one form per session on the event's page, each with its own
    ``prefix``); the box is the confirmation, since a page script may not ask."""

    reason = StringField(_l("Reason (sent to registrants)"),
                         validators=[Optional(), Length(max=500)])
    confirm = BooleanField(_l("Yes, cancel this session: everyone registered is told, and "
                              "what they paid is refunded in full"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


class RegisterForm(FlaskForm):
    """Register oneself or a family member. ``form_token`` makes a double submission
    harmless (it is the idempotency key)."""

    dependant_id = IntegerField(_l("Who is coming?"),
                                validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    join_waitlist = BooleanField(_l("Join the waitlist if it is full"))
    form_token = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64)])


class CheckInForm(FlaskForm):
    code = StringField(_l("Ticket code"), validators=[DataRequired(REQUIRED), Length(max=100)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters"})


class AnnouncementForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(REQUIRED), Length(max=5000)])


class FeedbackForm(FlaskForm):
    rating = SelectField(_l("How was it? (1–5)"), coerce=int,
                         choices=choices((n, str(n)) for n in range(5, 0, -1)),
                         validators=[DataRequired(REQUIRED)])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=1000)])
