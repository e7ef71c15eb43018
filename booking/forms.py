"""One form per booking use-case. Forms check shape only; the services own the rules."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

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
