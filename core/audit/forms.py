"""The audit search form (a GET form: nothing changes, so no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Who (login or user id)"), validators=[Optional(), Length(max=254)])
    action = StringField(_l("Action (a code, or its start ending in a dot)"),
                         validators=[Optional(), Length(max=64)])
    target_type = StringField(_l("Target type"), validators=[Optional(), Length(max=40)])
    target_id = StringField(_l("Target id"), validators=[Optional(), Length(max=64)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])
