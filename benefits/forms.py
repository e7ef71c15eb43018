"""Forms for rosters, programmes and funding. Shape only; the services own the rules."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from benefits.models import PERIOD_LABELS
from core.forms import choices

REQUIRED = _l("This field is required.")
YUAN = _l("Enter an amount in yuan, e.g. 800 or 800.50.")


def yuan_field(label: str, *, required: bool = True) -> DecimalField:
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    return DecimalField(label, places=2, validators=[
        *validators, NumberRange(min=0, max=1_000_000, message=YUAN)])


class RosterUploadForm(FlaskForm):
    file = FileField(_l("Roster file (CSV or XLSX)"), validators=[FileRequired(REQUIRED)])
    import_valid_rows = BooleanField(_l("Import the valid rows even if some rows are wrong"))


class RosterEntryForm(FlaskForm):
    department = StringField(_l("Department"), validators=[DataRequired(REQUIRED),
                                                           Length(max=100)])
    grade = StringField(_l("Grade"), validators=[DataRequired(REQUIRED), Length(max=40)])


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    period = SelectField(_l("Period"), choices=choices(PERIOD_LABELS.items()))
    amount = yuan_field(_l("Amount per employee per period (yuan)"))
    starts_on = DateField(_l("Starts on"), validators=[DataRequired(REQUIRED)])
    dependants_allowed = BooleanField(_l("Family members may use it"), default=True)
    rollover_limit = yuan_field(_l("Carry over at most (yuan, 0 for none)"), required=False)
    expiry_days = IntegerField(_l("Days after a period ends during which it can still be spent"),
                               default=0, validators=[Optional(), NumberRange(
                                   min=0, max=366, message=_l("Choose between 0 and 366 days."))])
    travel_cap_percent = IntegerField(_l("Travel wellness: at most this many percent of the "
                                         "budget"), validators=[Optional(), NumberRange(
                                          min=0, max=100,
                                          message=_l("Enter a percentage from 0 to 100."))])
    childcare_pot = yuan_field(_l("Childcare: a pot of its own per period (yuan)"),
                               required=False)


class FundingForm(FlaskForm):
    amount = yuan_field(_l("Amount received (yuan)"))
    bank_reference = StringField(_l("Bank reference"), validators=[DataRequired(REQUIRED),
                                                                   Length(max=100)])


class TopUpForm(FlaskForm):
    amount = yuan_field(_l("Top up by card (yuan)"))
    #: One per rendered form, so that a double submission creates one payment intent.
    request_key = HiddenField(default=lambda: secrets.token_hex(8),
                              validators=[DataRequired(REQUIRED), Length(max=32)])


class AllocateForm(FlaskForm):
    """Allocate the current period (a button)."""


class AmountRuleForm(Form):
    """One grade and/or department rule of the editor (a row left empty is no rule)."""
    grade = StringField(_l("Grade"), validators=[Optional(), Length(max=40)])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=100)])
    amount = yuan_field(_l("Amount per period (yuan), instead of the base amount"),
                        required=False)


class CategoryRuleForm(Form):
    """A category's limit: a share of each period's budget, or a pot of its own."""
    category = HiddenField()
    cap_percent = IntegerField(_l("At most this many percent of the budget"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100."))])
    pot = yuan_field(_l("Or a pot of its own per period (yuan)"), required=False)


class ProgrammeEditForm(FlaskForm):
    """Every rule of a programme, as HR edits them."""
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    amount = yuan_field(_l("Base amount per employee per period (yuan)"))
    starts_on = DateField(_l("Starts on"), validators=[DataRequired(REQUIRED)])
    dependants_allowed = BooleanField(_l("Family members may use it"))
    rollover_limit = yuan_field(_l("Carry over at most (yuan, 0 for none)"), required=False)
    expiry_days = IntegerField(_l("Days after a period ends during which it can still be spent"),
                               default=0, validators=[Optional(), NumberRange(
                                   min=0, max=366, message=_l("Choose between 0 and 366 days."))])
    prorate_joiners = BooleanField(_l("Joiners get the part of the period left after they "
                                      "join"))
    rules = FieldList(FormField(AmountRuleForm), min_entries=0, max_entries=200)
    categories = FieldList(FormField(CategoryRuleForm), min_entries=0, max_entries=20)
