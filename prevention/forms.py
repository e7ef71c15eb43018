"""Forms of the campaign pages. Shape only; the services own the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
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
from prevention.models import PACKAGE_SEX_LABELS
from providers.models import DELIVERY_MODE_LABELS, DeliveryMode

REQUIRED = _l("This field is required.")
YUAN = _l("Enter an amount in yuan, e.g. 800 or 800.50.")
AGE = _l("Enter an age from 0 to 120.")
LOCATIONS = [(m.value, DELIVERY_MODE_LABELS[m])
             for m in (DeliveryMode.PREMISES, DeliveryMode.PARK_STATION)]
PACKAGES = ("basic", "enhanced")


def _package_fields(prefix: str, *, required: bool) -> dict:
    needed = [DataRequired(REQUIRED)] if required else [Optional()]
    return {
        f"{prefix}_name_zh": StringField(_l("Name (Chinese)"),
                                         validators=[*needed, Length(max=200)]),
        f"{prefix}_name_en": StringField(_l("Name (English)"),
                                         validators=[*needed, Length(max=200)]),
        f"{prefix}_items_zh": TextAreaField(_l("What it includes (Chinese)"),
                                            validators=[Optional(), Length(max=2000)]),
        f"{prefix}_items_en": TextAreaField(_l("What it includes (English)"),
                                            validators=[Optional(), Length(max=2000)]),
        f"{prefix}_price": DecimalField(_l("Price per person (yuan)"), places=2, validators=[
            *needed, NumberRange(min=0, max=1_000_000, message=YUAN)]),
        f"{prefix}_min_age": IntegerField(_l("From age"), validators=[
            Optional(), NumberRange(min=0, max=120, message=AGE)]),
        f"{prefix}_max_age": IntegerField(_l("Up to age"), validators=[
            Optional(), NumberRange(min=0, max=120, message=AGE)]),
        f"{prefix}_sex": SelectField(_l("For"), choices=choices(
            (k.value, v) for k, v in PACKAGE_SEX_LABELS.items())),
    }


class _CampaignBase(FlaskForm):
    name_zh = StringField(_l("Campaign name (Chinese)"),
                          validators=[DataRequired(REQUIRED), Length(max=200)])
    name_en = StringField(_l("Campaign name (English)"),
                          validators=[DataRequired(REQUIRED), Length(max=200)])
    year = IntegerField(_l("Year"), validators=[DataRequired(REQUIRED), NumberRange(
        min=2000, max=2100, message=_l("Enter a year from 2000 to 2100."))])
    service_id = SelectField(_l("Check-up provider and service"), coerce=int,
                             validators=[DataRequired(REQUIRED)])
    programme_id = SelectField(_l("Paid from the pot of"), coerce=int,
                               validators=[DataRequired(REQUIRED)])
    interpretation_service_id = SelectField(_l("Report interpretation offered when results "
                                               "are abnormal"), coerce=int, default=0)
    starts_on = DateField(_l("First day"), validators=[DataRequired(REQUIRED)])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(REQUIRED)])
    daily_capacity = IntegerField(_l("Check-ups per day at most"), validators=[
        DataRequired(REQUIRED), NumberRange(min=1, max=10000,
                                            message=_l("Enter a number from 1 to 10000."))])
    location = SelectField(_l("Where"), choices=choices(LOCATIONS))
    includes_dependants = BooleanField(_l("Family members are invited too"))
    preparation_zh = TextAreaField(_l("Preparation (Chinese; empty for the standard text)"),
                                   validators=[Optional(), Length(max=4000)])
    preparation_en = TextAreaField(_l("Preparation (English; empty for the standard text)"),
                                   validators=[Optional(), Length(max=4000)])


class CampaignChangeForm(FlaskForm):
    """What a running campaign may still change: its dates and its daily capacity."""

    starts_on = DateField(_l("First day"), validators=[DataRequired(REQUIRED)])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(REQUIRED)])
    daily_capacity = IntegerField(_l("Check-ups per day at most"), validators=[
        DataRequired(REQUIRED), NumberRange(min=1, max=10000,
                                            message=_l("Enter a number from 1 to 10000."))])


CampaignForm = type("CampaignForm", (_CampaignBase,), {
    **_package_fields("basic", required=True), **_package_fields("enhanced", required=False)})


class BookCheckupForm(FlaskForm):
    package_id = SelectField(_l("Package"), coerce=int, validators=[DataRequired(REQUIRED)])
    slot = SelectField(_l("Time"), validators=[DataRequired(REQUIRED)],
                       validate_choice=False)
    dependant_id = SelectField(_l("For"), coerce=int, default=0)
    results_consent = BooleanField(_l("Put my results straight into my health profile (the "
                                      "provider uploads them; I can withdraw this until they "
                                      "arrive)"))


class ConsentForm(FlaskForm):
    results_consent = BooleanField(_l("Put my results straight into my health profile"))


class EmptyForm(FlaskForm):
    """A button: CSRF only."""


class ResultsForm(FlaskForm):
    format = SelectField(_l("Format"), choices=choices([("csv", "CSV"), ("json", "JSON")]))
    file = FileField(_l("Results file"))
    content = TextAreaField(_l("Or paste the results"), validators=[Optional(),
                                                                    Length(max=1_000_000)])
