"""Forms for the health pages. They check shape only; the services own the rules (ranges,
units, windows), so that the API enforces the same."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.errors import DomainError
from core.forms import choices
from health.models import (
    RELATION_LABELS,
    SEX_LABELS,
    SMOKING_LABELS,
    Relation,
    Sex,
    Smoking,
)
from health.readings import MGDL, MMOL, READINGS, UMOL
from health.sharing import MAX_SHARE_DAYS
from health.vocabulary import (
    DEPENDANT_NEED_TAGS,
    GOAL_TAGS,
    NEED_LABELS,
    SHARE_FIELD_LABELS,
    ShareField,
)

REQUIRED = _l("This field is required.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    sex = SelectField(_l("Sex"), validate_choice=False, choices=choices(
        [("", _l("Prefer not to say")), *((s.value, SEX_LABELS[s]) for s in Sex)]))
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()])
    smoking = SelectField(_l("Smoking"), validate_choice=False, choices=choices(
        [("", _l("Prefer not to say")), *((s.value, SMOKING_LABELS[s]) for s in Smoking)]))
    activity_minutes_per_week = IntegerField(
        _l("Moderate activity (minutes a week)"), validators=[Optional()])
    sleep_hours = DecimalField(_l("Usual sleep (hours a night)"), places=1,
                               validators=[Optional()])
    goals = MultiCheckboxField(_l("Your goals"), validate_choice=False,
                               choices=choices((t.value, NEED_LABELS[t]) for t in GOAL_TAGS))


def _value(key: str) -> StringField:
    spec = READINGS[key]
    return StringField(spec.label, validators=[Optional(), Length(max=20)],
                       render_kw={"inputmode": "decimal"})


class CheckUpForm(FlaskForm):
    measured_on = DateField(_l("Date of the check-up"),
                            validators=[InputRequired(REQUIRED)])
    source = StringField(_l("Where (hospital, clinic, check-up centre)"),
                         validators=[Optional(), Length(max=120)])
    systolic = _value("systolic")
    diastolic = _value("diastolic")
    fasting_glucose = _value("fasting_glucose")
    fasting_glucose_unit = SelectField(_l("Glucose unit"), choices=[MMOL, MGDL])
    hba1c = _value("hba1c")
    hba1c_unit = SelectField(_l("HbA1c unit"), choices=["%", "mmol/mol"])
    total_cholesterol = _value("total_cholesterol")
    ldl = _value("ldl")
    hdl = _value("hdl")
    triglycerides = _value("triglycerides")
    lipid_unit = SelectField(_l("Lipid unit"), choices=[MMOL, MGDL])
    height = _value("height")
    weight = _value("weight")
    waist = _value("waist")
    uric_acid = _value("uric_acid")
    uric_acid_unit = SelectField(_l("Uric acid unit"), choices=[UMOL, MGDL])

    def readings(self) -> dict[str, tuple[object, str | None]]:
        units = {"fasting_glucose": self.fasting_glucose_unit.data,
                 "hba1c": self.hba1c_unit.data,
                 "uric_acid": self.uric_acid_unit.data,
                 **dict.fromkeys(("total_cholesterol", "ldl", "hdl", "triglycerides"),
                                 self.lipid_unit.data)}
        return {key: (getattr(self, key).data, units.get(key)) for key in READINGS}


class ImportForm(FlaskForm):
    file = FileField(_l("Check-up report (CSV or JSON)"),
                     validators=[DataRequired(REQUIRED)])


class DependantForm(FlaskForm):
    name = StringField(pgettext("person", "Name"),
                       validators=[DataRequired(REQUIRED), Length(max=100)])
    birth_date = DateField(_l("Date of birth"), validators=[InputRequired(REQUIRED)])
    sex = SelectField(_l("Sex (optional)"), choices=choices(
        [("", _l("Not given")), *((s.value, SEX_LABELS[s]) for s in Sex)]))
    relation = SelectField(_l("Relation to you"),
                           choices=choices((r.value, RELATION_LABELS[r]) for r in Relation))
    needs = MultiCheckboxField(_l("Needs"), choices=choices((t.value, NEED_LABELS[t])
                                                            for t in DEPENDANT_NEED_TAGS),
                               validate_choice=False)
    notes = TextAreaField(_l("Notes (optional)"), validators=[Optional(), Length(max=500)])


class ShareForm(FlaskForm):
    provider_id = SelectField(_l("Provider"), coerce=int, validate_choice=False,
                              validators=[InputRequired(REQUIRED)])
    fields = MultiCheckboxField(_l("What to share"),
                                choices=choices((f.value, SHARE_FIELD_LABELS[f])
                                                for f in ShareField),
                                validate_choice=False)
    days = IntegerField(_l("For how many days"), default=14,
                        validators=[InputRequired(REQUIRED)],
                        description=_l("At most %(days)s days.", days=MAX_SHARE_DAYS))


class DeleteProfileForm(FlaskForm):
    confirm = BooleanField(_l("I understand that this deletes all my health records and "
                              "ends every sharing at once."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


def apply_errors(form: FlaskForm, exc: DomainError) -> None:
    """Show a service's per-field errors next to the form's fields."""
    for name, message in exc.fields.items():
        target = getattr(form, name, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors or []), str(message)]
