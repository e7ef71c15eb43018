"""One form per use-case. Forms check shape only; ``providers.services`` owns the rules.

Each form's ``data_for_service()`` gives the mapping the matching ``*Data`` schema reads, so
that the HTML pages and the API go through the same checks.
"""

from __future__ import annotations

import functools
import zoneinfo

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import choices
from providers.hours_services import weekday_name
from providers.models import (
    CATEGORY_LABELS,
    DELIVERY_MODE_LABELS,
    EXCEPTION_KIND_LABELS,
    HEALTH_NEED_LABELS,
    LANGUAGE_LABELS,
    SERVICE_SEX_LABELS,
    ProviderCategory,
)
from providers.schemas import WEEKDAY_KEYS
from providers.weekly_hours import MAX_RANGES_PER_DAY


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(labels: dict) -> list[SelectChoice]:
    return choices((str(key), label) for key, label in labels.items())


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ProfileForm(FlaskForm):
    categories = MultiCheckboxField(_l("Categories"), choices=_choices(CATEGORY_LABELS))
    description_zh = TextAreaField(_l("Description (Chinese)"), validators=[Length(max=4000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=4000)])
    venues = MultiCheckboxField(_l("Where services happen"),
                                choices=_choices(DELIVERY_MODE_LABELS))
    address_zh = StringField(_l("Address (Chinese)"), validators=[Length(max=300)])
    address_en = StringField(_l("Address (English)"), validators=[Length(max=300)])
    languages = MultiCheckboxField(_l("Languages spoken"), choices=_choices(LANGUAGE_LABELS))
    photo_urls = TextAreaField(_l("Photo links (one per line)"),
                               validators=[Length(max=2000)])

    def data_for_service(self) -> dict:
        return {"categories": self.categories.data or [],
                "description_zh": self.description_zh.data or "",
                "description_en": self.description_en.data or "",
                "venues": self.venues.data or [], "address_zh": self.address_zh.data or "",
                "address_en": self.address_en.data or "",
                "languages": self.languages.data or [],
                "photo_urls": _lines(self.photo_urls.data)}


class PractitionerForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=100)])
    title_zh = StringField(pgettext("practitioner", "Title (Chinese)"),
                           validators=[Length(max=100)])
    title_en = StringField(pgettext("practitioner", "Title (English)"),
                           validators=[Length(max=100)])
    languages = MultiCheckboxField(_l("Languages spoken"), choices=_choices(LANGUAGE_LABELS))
    observes_public_holidays = BooleanField(_l("Closed on public holidays, working on "
                                               "make-up days (调休)"), default=True)

    def data_for_service(self) -> dict:
        return {"name_zh": self.name_zh.data, "name_en": self.name_en.data,
                "title_zh": self.title_zh.data or "", "title_en": self.title_en.data or "",
                "languages": self.languages.data or [],
                "observes_public_holidays": bool(self.observes_public_holidays.data)}


class ServiceForm(FlaskForm):
    category = SelectField(_l("Category"), choices=_choices(CATEGORY_LABELS))
    delivery_mode = SelectField(_l("Where it happens"), choices=_choices(DELIVERY_MODE_LABELS))
    title_zh = StringField(pgettext("service", "Title (Chinese)"),
                           validators=[DataRequired(), Length(max=200)])
    title_en = StringField(pgettext("service", "Title (English)"),
                           validators=[DataRequired(), Length(max=200)])
    description_zh = TextAreaField(_l("Description (Chinese)"), validators=[Length(max=4000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=4000)])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[DataRequired()])
    buffer_before_minutes = IntegerField(_l("Buffer before (minutes)"), default=0,
                                         validators=[Optional()])
    buffer_after_minutes = IntegerField(_l("Buffer after (minutes)"), default=0,
                                        validators=[Optional()])
    capacity = IntegerField(_l("Capacity (1 for one-to-one)"), default=1,
                            validators=[DataRequired()])
    price_yuan = IntegerField(_l("Price (yuan, 0 for free)"), default=0,
                              validators=[Optional(), NumberRange(min=0)])
    free_cancel_hours = IntegerField(_l("Free cancellation until (hours before)"), default=24,
                                     validators=[Optional()])
    late_cancel_fee_percent = IntegerField(_l("Late-cancellation fee (%)"), default=0,
                                           validators=[Optional()])
    min_notice_minutes = IntegerField(_l("Minimum notice (minutes)"), default=120,
                                      validators=[Optional()])
    horizon_days = IntegerField(_l("Bookable up to (days ahead)"), default=30,
                                validators=[Optional()])
    health_needs = MultiCheckboxField(_l("Health needs it serves"),
                                      choices=_choices(HEALTH_NEED_LABELS))
    min_age = IntegerField(_l("Lowest age served"), validators=[Optional()])
    max_age = IntegerField(_l("Highest age served"), validators=[Optional()])
    allows_dependants = BooleanField(_l("Dependants may be booked"))
    sex = SelectField(_l("For"), choices=_choices(SERVICE_SEX_LABELS), default="any")
    screening_questionnaire = StringField(_l("Required screening questionnaire (code)"),
                                          validators=[Length(max=64)])
    contraindications = StringField(_l("Contraindications (comma-separated)"),
                                    validators=[Length(max=500)])
    practitioner_ids = MultiCheckboxField(_l("Practitioners"), coerce=int, choices=[])
    is_active = BooleanField(_l("Offered (shown in the catalogue)"), default=True)
    # category specifics
    intake_questionnaire = StringField(_l("Intake questionnaire (counselling)"),
                                       validators=[Length(max=64)])
    session_link = StringField(_l("Online-session link (counselling)"),
                               validators=[Length(max=500)])
    requires_referral = BooleanField(_l("A referral is required (rehabilitation)"))
    age_bands = StringField(_l("Age bands in months, e.g. 12-36, 36-72 (childcare)"),
                            validators=[Length(max=200)])
    requires_authorised_pickup = BooleanField(_l("Only authorised pick-up persons "
                                                 "(childcare)"), default=True)
    trip_days = IntegerField(_l("Trip length in days (travel)"), validators=[Optional()])
    trip_seats = IntegerField(_l("Seats (travel)"), validators=[Optional()])
    deposit_yuan = IntegerField(_l("Deposit in yuan (travel)"), validators=[Optional()])
    itinerary_zh = TextAreaField(_l("Itinerary, one day per line (Chinese)"),
                                 validators=[Length(max=4000)])
    itinerary_en = TextAreaField(_l("Itinerary, one day per line (English)"),
                                 validators=[Length(max=4000)])

    def details(self) -> dict:
        category = self.category.data
        if category == ProviderCategory.COUNSELLING:
            return {"intake_questionnaire": self.intake_questionnaire.data or None,
                    "session_link": self.session_link.data or None}
        if category == ProviderCategory.REHABILITATION:
            return {"requires_referral": bool(self.requires_referral.data)}
        if category == ProviderCategory.CHILDCARE:
            bands = []
            for part in (self.age_bands.data or "").split(","):
                low, _sep, high = part.strip().partition("-")
                if part.strip():
                    bands.append({"min_months": low.strip(), "max_months": high.strip()})
            return {"age_bands": bands,
                    "requires_authorised_pickup": bool(self.requires_authorised_pickup.data)}
        if category == ProviderCategory.TRAVEL_WELLNESS:
            return {"days": self.trip_days.data, "seats": self.trip_seats.data,
                    "deposit_minor": (self.deposit_yuan.data or 0) * 100,
                    "itinerary_zh": _lines(self.itinerary_zh.data),
                    "itinerary_en": _lines(self.itinerary_en.data)}
        return {}

    def data_for_service(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "category", "delivery_mode", "title_zh", "title_en", "description_zh",
            "description_en", "duration_minutes", "buffer_before_minutes",
            "buffer_after_minutes", "capacity", "free_cancel_hours", "late_cancel_fee_percent",
            "min_notice_minutes", "horizon_days", "health_needs", "min_age", "max_age",
            "allows_dependants", "sex", "practitioner_ids", "is_active")}
        data = {k: v for k, v in data.items() if v is not None}
        data["price_minor"] = (self.price_yuan.data or 0) * 100
        data["screening_questionnaire"] = self.screening_questionnaire.data or None
        data["contraindications"] = [c.strip() for c in
                                     (self.contraindications.data or "").split(",")
                                     if c.strip()]
        data["details"] = self.details()
        return data

    def fill_from(self, service) -> None:
        self.price_yuan.data = service.price_minor // 100
        self.contraindications.data = ", ".join(service.contraindications)
        self.practitioner_ids.data = [p.id for p in service.practitioners]
        details = service.details or {}
        self.intake_questionnaire.data = details.get("intake_questionnaire") or ""
        self.session_link.data = details.get("session_link") or ""
        self.requires_referral.data = details.get("requires_referral", False)
        self.age_bands.data = ", ".join(f"{b['min_months']}-{b['max_months']}"
                                        for b in details.get("age_bands", []))
        self.requires_authorised_pickup.data = details.get("requires_authorised_pickup", True)
        self.trip_days.data = details.get("days")
        self.trip_seats.data = details.get("seats")
        self.deposit_yuan.data = (details.get("deposit_minor") or 0) // 100
        self.itinerary_zh.data = "\n".join(details.get("itinerary_zh", []))
        self.itinerary_en.data = "\n".join(details.get("itinerary_en", []))


class RuleForm(FlaskForm):
    rrule = StringField(_l("Repeats (RFC 5545 RRULE)"),
                        default="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                        validators=[DataRequired(), Length(max=300)])
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    start_time = TimeField(_l("Start"), validators=[DataRequired()])
    end_time = TimeField(_l("End"), validators=[DataRequired()])
    timezone = StringField(_l("Time zone"), default="Asia/Shanghai",
                           validators=[Length(max=64)])

    def data_for_service(self) -> dict:
        return {"rrule": self.rrule.data, "starts_on": self.starts_on.data,
                "start_time": self.start_time.data, "end_time": self.end_time.data,
                "timezone": self.timezone.data or None}


_REGIONS = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/",
            "Pacific/")


@functools.cache
def timezone_names() -> tuple[str, ...]:
    """IANA zones people live in (regions, not aliases such as Etc/GMT+8 or PRC)."""
    return (*sorted(name for name in zoneinfo.available_timezones()
                    if name.startswith(_REGIONS)), "UTC")


class RangeForm(Form):
    """One time range of a weekday (a row of the editor; both empty: no range)."""

    start = TimeField(_l("Start"), validators=[Optional()])
    end = TimeField(_l("End"), validators=[Optional()])


class WeeklyHoursForm(FlaskForm):
    """The weekly-hours editor: per weekday a switch and up to six ranges, and the zone.
    Works as plain form rows; the buttons ``add:<day>`` (one more row) and ``copy:<day>``
    (this day's ranges to Monday–Friday) redisplay the form without saving."""

    timezone = SelectField(_l("Time zone"), default="Asia/Shanghai",
                           choices=lambda: choices((n, n) for n in timezone_names()))

    def day_fields(self):
        """``(key, weekday, switch, ranges)`` for Monday to Sunday."""
        return [(key, index, self[f"{key}_on"], self[key])
                for index, key in enumerate(WEEKDAY_KEYS)]

    def fill(self, hours) -> None:
        """Show stored hours (a ``WeeklyHours``)."""
        self.timezone.data = hours.timezone
        for _key, index, switch, ranges in self.day_fields():
            switch.data = bool(hours.days[index])
            while len(ranges.entries):
                ranges.pop_entry()
            for item in hours.days[index] or [None]:
                ranges.append_entry({"start": item.start, "end": item.end} if item else {})

    def add_row(self, key: str) -> None:
        if key in WEEKDAY_KEYS and len(self[key].entries) < MAX_RANGES_PER_DAY:
            self[key].append_entry()
            self[f"{key}_on"].data = True

    def copy_to_weekdays(self, key: str) -> None:
        if key not in WEEKDAY_KEYS:
            return
        source = [(row.start.data, row.end.data) for row in self[key]
                  if row.start.data and row.end.data]
        for target in WEEKDAY_KEYS[:5]:
            if target == key:
                continue
            ranges = self[target]
            while len(ranges.entries):
                ranges.pop_entry()
            for start, end in source or [(None, None)]:
                ranges.append_entry({"start": start, "end": end})
            self[f"{target}_on"].data = bool(source) and bool(self[f"{key}_on"].data)

    @property
    def messages(self) -> dict[str, list[str]]:
        """Messages by ``<weekday>`` (the day) or ``<weekday>.<row>`` (a shown row)."""
        if not hasattr(self, "_messages"):
            self._messages: dict[str, list[str]] = {}
        return self._messages

    def say(self, key: str, message: str) -> None:
        self.messages.setdefault(key, []).append(message)

    def mark_refused(self, fields: dict[str, str]) -> None:
        """The service's messages (keys ``<weekday>.<n>``, n counting filled ranges) by
        the rows they are about."""
        for name, message in fields.items():
            key, _sep, number = name.partition(".")
            if key not in WEEKDAY_KEYS or not number.isdigit():
                continue
            shown = [i for i, row in enumerate(self[key]) if row.start.data and row.end.data]
            self.say(f"{key}.{shown[int(number)]}" if int(number) < len(shown) else key,
                     message)

    def validate_ranges(self) -> bool:
        """Rows half filled, or a day switched on with no range: said with the day's name."""
        ok = True
        for key, index, switch, ranges in self.day_fields():
            if not switch.data:
                continue
            filled = 0
            for number, row in enumerate(ranges, start=1):
                if bool(row.start.data) != bool(row.end.data):
                    self.say(f"{key}.{number - 1}", _(
                        "%(day)s, range %(n)s: give both times.", day=weekday_name(index),
                        n=number))
                    ok = False
                filled += bool(row.start.data and row.end.data)
            if not filled:
                self.say(key, _("%(day)s is switched on: give a time range, or switch it off.",
                                day=weekday_name(index)))
                ok = False
        return ok

    def data_for_service(self) -> dict:
        days = {}
        for key, _index, switch, ranges in self.day_fields():
            days[key] = ([{"start": row.start.data, "end": row.end.data} for row in ranges
                          if row.start.data and row.end.data] if switch.data else [])
        return {"timezone": self.timezone.data, "days": days}


for _index, _key in enumerate(WEEKDAY_KEYS):
    setattr(WeeklyHoursForm, f"{_key}_on", BooleanField(
        LazyString(functools.partial(weekday_name, _index))))
    setattr(WeeklyHoursForm, _key, FieldList(FormField(RangeForm), min_entries=1,
                                             max_entries=MAX_RANGES_PER_DAY))


class ExceptionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=_choices(EXCEPTION_KIND_LABELS))
    happens_on = DateField(_l("Date"), validators=[DataRequired()])
    # Ids of their own: the rule form on the same page has fields of the same names, and
    # a label must point at its own field.
    start_time = TimeField(_l("Start (leave empty for the whole day)"),
                           validators=[Optional()], id="exception-start_time")
    end_time = TimeField(_l("End"), validators=[Optional()], id="exception-end_time")
    note = StringField(_l("Note"), validators=[Length(max=200)])

    def data_for_service(self) -> dict:
        return {"kind": self.kind.data, "happens_on": self.happens_on.data,
                "start_time": self.start_time.data, "end_time": self.end_time.data,
                "note": self.note.data or ""}


class CredentialForm(FlaskForm):
    practitioner_id = SelectField(_l("Whose licence"), choices=[], validate_choice=False)
    licence_type = StringField(_l("Licence type"), validators=[DataRequired(), Length(max=100)])
    licence_number = StringField(_l("Licence number"),
                                 validators=[DataRequired(), Length(max=100)])
    issuer = StringField(_l("Issued by"), validators=[DataRequired(), Length(max=200)])
    expires_on = DateField(_l("Expires on"), validators=[DataRequired()])
    document = FileField(_l("Document (PDF, JPEG or PNG)"), validators=[FileRequired()])


class BusyImportForm(FlaskForm):
    calendar = FileField(_l("Calendar file (.ics)"), validators=[FileRequired()])


class BusyCalendarForm(FlaskForm):
    busy_calendar_url = StringField(_l("Address of your own calendar (.ics, leave empty to "
                                       "stop)"), validators=[Length(max=500)])


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=choices([("approve", _l("Verify")),
                                                            ("reject", _l("Suspend"))]))
    reason = StringField(_l("Reason"), validators=[Length(max=500)])


class HolidayNoticeForm(FlaskForm):
    """A year of the State Council's holiday notice, one line per holiday or make-up day."""

    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    notice = TextAreaField(
        _l("Holidays and make-up working days"), validators=[DataRequired(), Length(max=5000)],
        description=_l("One line each: a date or a range, then 休 (day off) or 班 (make-up "
                       "working day), then a name. For example: 2027-02-06~2027-02-12 休 春节"))


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP, at most 1.5 MB)"),
                      validators=[FileRequired()],
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})
    alt_zh = StringField(_l("What the photo shows (Chinese)"), validators=[Length(max=200)])
    alt_en = StringField(_l("What the photo shows (English)"), validators=[Length(max=200)])


class RemovePhotoForm(FlaskForm):
    pass
