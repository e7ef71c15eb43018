"""One form per care use-case. Forms check shape only; the services own the rules."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import choices

REQUIRED = _l("This field is required.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignForm(FlaskForm):
    starts_on = DateField(_l("Start on"), validators=[DataRequired(REQUIRED)])
    share_fields = MultiCheckboxField(_l("What the team may read from my health profile"),
                                      choices=[], validate_choice=False)
    dependant_ids = MultiCheckboxField(_l("Family members covered"), choices=[], coerce=int,
                                       validate_choice=False)
    accept_terms = BooleanField(_l("I have read and accept the terms above"))
    terms_version = HiddenField()
    terms_sha256 = HiddenField()


class MeasurementForm(FlaskForm):
    kind = SelectField(_l("Measurement"), choices=choices([
        ("blood_pressure", _l("Blood pressure")), ("weight", _l("Weight")),
        ("glucose", _l("Fasting glucose")), ("activity", _l("Activity this week"))]))
    systolic = StringField(_l("Systolic (upper)"), validators=[Optional(), Length(max=20)])
    diastolic = StringField(_l("Diastolic (lower)"), validators=[Optional(), Length(max=20)])
    value = StringField(_l("Value"), validators=[Optional(), Length(max=20)])
    unit = SelectField(_l("Unit"), choices=choices([
        ("", _l("Usual unit (mmHg, kg, mmol/L, minutes)")), ("kPa", "kPa"),
        ("mg/dL", "mg/dL")]), validators=[Optional()])


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(REQUIRED),
                                                    Length(max=2000)])


class PlanForm(FlaskForm):
    """One row per kind of goal: a goal is set when its target is filled in."""

    bp_target_systolic = IntegerField(_l("Blood pressure below (upper)"),
                                      validators=[Optional()])
    bp_target_diastolic = IntegerField(_l("Blood pressure below (lower)"),
                                       validators=[Optional()])
    bp_alert_systolic = IntegerField(_l("Alert at or above (upper)"), validators=[Optional()])
    bp_alert_diastolic = IntegerField(_l("Alert at or above (lower)"), validators=[Optional()])
    bp_due_on = DateField(_l("Blood pressure goal by"), validators=[Optional()])
    weight_target = DecimalField(_l("Weight below (kg)"), validators=[Optional()])
    weight_due_on = DateField(_l("Weight goal by"), validators=[Optional()])
    glucose_target = DecimalField(_l("Fasting glucose below (mmol/L)"),
                                  validators=[Optional()])
    glucose_alert_above = DecimalField(_l("Alert at or above (mmol/L)"),
                                       validators=[Optional()])
    glucose_alert_below = DecimalField(_l("Alert at or below (mmol/L)"),
                                       validators=[Optional()])
    glucose_due_on = DateField(_l("Glucose goal by"), validators=[Optional()])
    activity_target = IntegerField(_l("Activity at least (minutes a week)"),
                                   validators=[Optional()])
    activity_due_on = DateField(_l("Activity goal by"), validators=[Optional()])
    notes = TextAreaField(_l("Notes for the employee"), validators=[Optional(),
                                                                    Length(max=2000)])

    def fill(self, goals: list[dict], notes: str) -> None:
        """Show the current plan, so that saving again keeps what is not changed."""
        from_iso = date.fromisoformat
        for goal in goals:
            due = from_iso(goal["due_on"]) if goal.get("due_on") else None
            kind, target = goal["kind"], goal.get("target")
            if kind == "blood_pressure" and target:
                self.bp_target_systolic.data, self.bp_target_diastolic.data = map(int, target)
                alert = goal.get("alert_above") or [None, None]
                self.bp_alert_systolic.data = alert[0] and int(alert[0])
                self.bp_alert_diastolic.data = alert[1] and int(alert[1])
                self.bp_due_on.data = due
            elif kind == "weight":
                self.weight_target.data, self.weight_due_on.data = target, due
            elif kind == "glucose":
                self.glucose_target.data, self.glucose_due_on.data = target, due
                self.glucose_alert_above.data = goal.get("alert_above")
                self.glucose_alert_below.data = goal.get("alert_below")
            elif kind == "activity":
                self.activity_target.data = int(target) if target is not None else None
                self.activity_due_on.data = due
        self.notes.data = notes

    def goals(self) -> list[dict]:
        def num(field):
            return None if field.data is None else float(field.data)

        goals = []
        if self.bp_target_systolic.data is not None or self.bp_target_diastolic.data is not None:
            alert = None
            if self.bp_alert_systolic.data is not None or \
                    self.bp_alert_diastolic.data is not None:
                alert = [self.bp_alert_systolic.data, self.bp_alert_diastolic.data]
            goals.append({"kind": "blood_pressure", "due_on": self.bp_due_on.data,
                          "target": [self.bp_target_systolic.data,
                                     self.bp_target_diastolic.data],
                          "alert_above": alert})
        if self.weight_target.data is not None:
            goals.append({"kind": "weight", "target": num(self.weight_target),
                          "due_on": self.weight_due_on.data})
        if self.glucose_target.data is not None:
            goals.append({"kind": "glucose", "target": num(self.glucose_target),
                          "alert_above": num(self.glucose_alert_above),
                          "alert_below": num(self.glucose_alert_below),
                          "due_on": self.glucose_due_on.data})
        if self.activity_target.data is not None:
            goals.append({"kind": "activity", "target": self.activity_target.data,
                          "due_on": self.activity_due_on.data})
        return goals


class FollowUpForm(FlaskForm):
    on = DateField(_l("Date"), validators=[DataRequired(REQUIRED)])
    at = TimeField(_l("Time"), validators=[DataRequired(REQUIRED)])
    duration_minutes = IntegerField(_l("Minutes"), default=30,
                                    validators=[InputRequired(REQUIRED),
                                                NumberRange(min=5, max=240)])
    mode = SelectField(_l("How"), choices=choices([
        ("visit", _l("Visit")), ("phone", _l("Phone call")), ("video", _l("Video call"))]))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class TeamForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices([
        ("general_practice", _l("General practice")),
        ("tcm", _l("Traditional Chinese Medicine"))]))
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(REQUIRED),
                                                            Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(REQUIRED),
                                                            Length(max=200)])
    description_zh = TextAreaField(_l("Description (Chinese)"),
                                   validators=[Optional(), Length(max=2000)])
    description_en = TextAreaField(_l("Description (English)"),
                                   validators=[Optional(), Length(max=2000)])
    price_yuan = DecimalField(_l("Price per period (yuan)"), places=2,
                              validators=[InputRequired(REQUIRED),
                                          NumberRange(min=0, max=100000)])
    period_days = IntegerField(_l("Period (days)"), default=365,
                               validators=[InputRequired(REQUIRED),
                                           NumberRange(min=30, max=366)])
    terms_zh = TextAreaField(_l("Terms (Chinese)"), validators=[DataRequired(REQUIRED),
                                                                Length(max=20000)])
    terms_en = TextAreaField(_l("Terms (English)"), validators=[DataRequired(REQUIRED),
                                                                Length(max=20000)])
    practitioner_ids = MultiCheckboxField(_l("Physicians on the team"), choices=[], coerce=int,
                                          validate_choice=False)


class FollowUpMoveForm(FlaskForm):
    on = DateField(_l("New date"), validators=[DataRequired(REQUIRED)])
    at = TimeField(_l("New time"), validators=[DataRequired(REQUIRED)])
    duration_minutes = IntegerField(_l("Minutes"), validators=[Optional(),
                                                               NumberRange(min=5, max=240)])


class SponsorForm(FlaskForm):
    team_id = SelectField(_l("Physician team"), choices=[], coerce=int, validate_choice=False)
    programme_id = SelectField(_l("Paid from the pot of"), choices=[], coerce=int,
                               validate_choice=False)


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF only."""
