"""One form per booking use-case. Forms check shape only; the services own the rules."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from booking.schemas import EARLIEST_YEAR, LATEST_YEAR

REQUIRED = _l("This field is required.")


def _aware_datetime(form, field) -> None:
    try:
        value = datetime.fromisoformat(field.data or "")
    except ValueError as exc:
        raise ValidationError(_l("Choose one of the times listed.")) from exc
    if value.tzinfo is None or not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(_l("Choose one of the times listed."))
    field.parsed = value


class HoldForm(FlaskForm):
    """Book one of the listed slots. ``form_token`` makes a double submission harmless."""

    practitioner_id = IntegerField(validators=[DataRequired(REQUIRED), NumberRange(min=1)])
    starts_at = HiddenField(validators=[DataRequired(REQUIRED), _aware_datetime])
    dependant_id = IntegerField(_l("Who is it for?"), validators=[Optional(),
                                                                  NumberRange(min=1)])
    form_token = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64)])


class PickupHoldForm(HoldForm):
    """Book childcare or elder care: one time chosen from the list (``slot``:
    "<practitioner id>|<start>"), who it is for, and the person authorised to collect them.
    The services check the pick-up person and whether one is needed."""

    slot = StringField(_l("Time"), validators=[DataRequired(_l("Choose a time.")),
                                               Length(max=80)])
    pickup_name = StringField(_l("Pick-up person's name"), validators=[Length(max=60)])
    pickup_relation = StringField(_l("Relation to the person attending"),
                                  validators=[Length(max=30)])
    pickup_phone = StringField(_l("Pick-up person's mobile"), validators=[Length(max=30)])

    def validate(self, extra_validators=None) -> bool:
        practitioner, _sep, starts_at = (self.slot.data or "").partition("|")
        self.practitioner_id.data = int(practitioner) if practitioner.isdigit() else None
        self.starts_at.data = starts_at
        return super().validate(extra_validators)

    def pickup_persons(self) -> list[dict]:
        return [{"name": self.pickup_name.data or "", "relation": self.pickup_relation.data or "",
                 "phone": self.pickup_phone.data or ""}]


class ChosenTimeForm(FlaskForm):
    """The time tapped on the strip, read from the query string of the confirmation step
    (a GET: nothing is written until the person confirms)."""

    class Meta:
        csrf = False

    practitioner_id = IntegerField(validators=[DataRequired(REQUIRED), NumberRange(min=1)])
    starts_at = HiddenField(validators=[DataRequired(REQUIRED), _aware_datetime])


class ShareForm(FlaskForm):
    """What to share with the provider for this booking (choices: the category's minimum)."""

    share = SelectMultipleField(_l("Share with the provider"), choices=[],
                                validate_choice=False, option_widget=CheckboxInput(),
                                widget=ListWidget(prefix_label=False))


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class RescheduleForm(FlaskForm):
    practitioner_id = IntegerField(validators=[DataRequired(REQUIRED), NumberRange(min=1)])
    starts_at = HiddenField(validators=[DataRequired(REQUIRED), _aware_datetime])


class AttendanceForm(FlaskForm):
    attended = HiddenField(validators=[DataRequired(REQUIRED)])

    def validate_attended(self, field) -> None:
        if field.data not in ("1", "0"):
            raise ValidationError(_l("Choose one of the allowed values."))


class WaitlistForm(FlaskForm):
    practitioner_id = IntegerField(validators=[DataRequired(REQUIRED), NumberRange(min=1)])
    starts_at = HiddenField(validators=[DataRequired(REQUIRED), _aware_datetime])
    dependant_id = IntegerField(validators=[Optional(), NumberRange(min=1)])


def _aware_datetimes(form, field) -> None:
    parsed = []
    for item in field.data or []:
        try:
            value = datetime.fromisoformat(item)
        except ValueError as exc:
            raise ValidationError(_l("Choose one of the times listed.")) from exc
        if value.tzinfo is None or not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValidationError(_l("Choose one of the times listed."))
        parsed.append(value)
    field.parsed = parsed


class SeriesPreviewForm(FlaskForm):
    """Where a course starts and how it repeats, read from the query string."""

    class Meta:
        csrf = False

    practitioner_id = IntegerField(validators=[Optional(), NumberRange(min=1)])
    first = StringField(validators=[Optional(), _aware_datetime])
    count = IntegerField(_l("Sessions"), default=8, validators=[
        Optional(), NumberRange(min=1, max=26, message=_l("Choose from 1 to 26 sessions."))])
    every_days = IntegerField(_l("Every how many days"), default=7, validators=[
        Optional(), NumberRange(min=1, max=31, message=_l("Choose from 1 to 31 days."))])

    @property
    def first_parsed(self) -> datetime | None:
        return getattr(self.first, "parsed", None)


class SeriesBookForm(FlaskForm):
    practitioner_id = IntegerField(validators=[DataRequired(REQUIRED), NumberRange(min=1)])
    starts = SelectMultipleField(choices=[], validate_choice=False,
                                 validators=[DataRequired(REQUIRED), _aware_datetimes])

    def parsed_starts(self) -> list[datetime]:
        return self.starts.parsed


class SeriesCancelForm(FlaskForm):
    """Cancel the rest of a course (a button)."""
