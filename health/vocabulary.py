"""The words health shares with the rest of ParkWell: the health needs a service can serve
(providers tag their services with these), the groups of fields an employee can share, and
the minimum each service category needs.

Categories are plain strings here (``tcm``, ``rehabilitation``...) so that health depends on
no other package; they match ``providers.models.ProviderCategory`` values.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext


class NeedTag(StrEnum):
    HYPERTENSION = "hypertension"
    HIGH_GLUCOSE = "high_glucose"
    DYSLIPIDAEMIA = "dyslipidaemia"
    OVERWEIGHT = "overweight"
    HYPERURICAEMIA = "hyperuricaemia"
    DEPRESSION = "depression"
    ANXIETY = "anxiety"
    POOR_SLEEP = "poor_sleep"
    STRESS = "stress"
    BACK_PAIN = "back_pain"
    FITNESS = "fitness"
    QUIT_SMOKING = "quit_smoking"
    CHILDCARE = "childcare"
    ELDERCARE = "eldercare"

    @property
    def label(self) -> str:
        return str(NEED_LABELS[self])


NEED_LABELS = {
    NeedTag.HYPERTENSION: _l("High blood pressure"),
    NeedTag.HIGH_GLUCOSE: _l("High blood glucose"),
    NeedTag.DYSLIPIDAEMIA: pgettext("need", "Blood lipids"),  # 血脂异常, not the field 血脂
    NeedTag.OVERWEIGHT: _l("Weight management"),
    NeedTag.HYPERURICAEMIA: _l("High uric acid"),
    NeedTag.DEPRESSION: _l("Low mood"),
    NeedTag.ANXIETY: _l("Anxiety"),
    NeedTag.POOR_SLEEP: _l("Sleep"),
    NeedTag.STRESS: _l("Stress"),
    NeedTag.BACK_PAIN: _l("Back and neck pain"),
    NeedTag.FITNESS: _l("Fitness"),
    NeedTag.QUIT_SMOKING: _l("Quitting smoking"),
    NeedTag.CHILDCARE: _l("Childcare"),
    NeedTag.ELDERCARE: _l("Elder care"),
}

#: What a person can set as a goal for themselves (the rest come from screening).
GOAL_TAGS = (NeedTag.OVERWEIGHT, NeedTag.FITNESS, NeedTag.STRESS, NeedTag.POOR_SLEEP,
             NeedTag.BACK_PAIN, NeedTag.QUIT_SMOKING, NeedTag.HYPERTENSION,
             NeedTag.HIGH_GLUCOSE, NeedTag.DYSLIPIDAEMIA)
#: What a dependant may need.
DEPENDANT_NEED_TAGS = (NeedTag.CHILDCARE, NeedTag.ELDERCARE, NeedTag.BACK_PAIN,
                       NeedTag.HYPERTENSION, NeedTag.HIGH_GLUCOSE, NeedTag.POOR_SLEEP,
                       NeedTag.FITNESS)


class ShareField(StrEnum):
    """A group of health fields that can be shared with a provider, all or nothing."""

    BLOOD_PRESSURE = "blood_pressure"
    GLUCOSE = "glucose"
    LIPIDS = "lipids"
    BODY = "body"
    URIC_ACID = "uric_acid"
    LIFESTYLE = "lifestyle"
    MENTAL_HEALTH = "mental_health"
    SLEEP = "sleep"

    @property
    def label(self) -> str:
        return str(SHARE_FIELD_LABELS[self])


SHARE_FIELD_LABELS = {
    ShareField.BLOOD_PRESSURE: _l("Blood pressure"),
    ShareField.GLUCOSE: _l("Blood glucose and HbA1c"),
    ShareField.LIPIDS: _l("Blood lipids"),
    ShareField.BODY: _l("Height, weight, BMI and waist"),
    ShareField.URIC_ACID: _l("Uric acid"),
    ShareField.LIFESTYLE: _l("Smoking, activity and sleep hours"),
    ShareField.MENTAL_HEALTH: _l("Mood and anxiety questionnaire results"),
    ShareField.SLEEP: _l("Sleep questionnaire results"),
}

#: The check-up readings each share group covers.
SHARE_READINGS = {
    ShareField.BLOOD_PRESSURE: ("systolic", "diastolic"),
    ShareField.GLUCOSE: ("fasting_glucose", "hba1c"),
    ShareField.LIPIDS: ("total_cholesterol", "ldl", "hdl", "triglycerides"),
    ShareField.BODY: ("height", "weight", "waist"),
    ShareField.URIC_ACID: ("uric_acid",),
}

#: The least each service category needs to see: what the share form offers first.
CATEGORY_MINIMUM: dict[str, frozenset[ShareField]] = {
    "tcm": frozenset({ShareField.BLOOD_PRESSURE, ShareField.BODY, ShareField.LIFESTYLE}),
    "rehabilitation": frozenset({ShareField.BODY, ShareField.LIFESTYLE}),
    "counselling": frozenset({ShareField.MENTAL_HEALTH, ShareField.SLEEP}),
    "travel_wellness": frozenset({ShareField.BLOOD_PRESSURE, ShareField.BODY}),
    "culture": frozenset(),
    "childcare": frozenset(),
    "eldercare": frozenset(),
    #: A check-up provider (and its report interpretation) reads the lab results.
    "health_checkup": frozenset({ShareField.BLOOD_PRESSURE, ShareField.GLUCOSE,
                                 ShareField.LIPIDS, ShareField.BODY, ShareField.URIC_ACID}),
}


def minimum_fields(category: str) -> frozenset[ShareField]:
    """The share groups a service of ``category`` needs (none for unknown categories)."""
    return CATEGORY_MINIMUM.get(category, frozenset())


class CareRecord(StrEnum):
    """What a family-physician team reads besides the groups shared with it: the records
    kept under the agreement. Words for the owner's access log ("Who saw my data")."""

    PLAN = "care_plan"
    MEASUREMENTS = "care_measurements"
    MESSAGES = "care_messages"
    ALERTS = "care_alerts"

    @property
    def label(self) -> str:
        return str(CARE_RECORD_LABELS[self])


CARE_RECORD_LABELS = {
    CareRecord.PLAN: _l("your care plan"),
    CareRecord.MEASUREMENTS: _l("your home measurements"),
    CareRecord.MESSAGES: _l("your messages with the team"),
    CareRecord.ALERTS: _l("alerts about your readings"),
}


def read_items_in_order(keys: list[str]) -> list[str]:
    """Share groups first, then the care records, each in its vocabulary's order."""
    order = [*(f.value for f in ShareField), *(r.value for r in CareRecord)]
    return sorted(keys, key=lambda k: order.index(k) if k in order else len(order))


def read_item_label(key: str) -> str:
    """The words for one thing an access-log entry says was read."""
    for vocabulary in (ShareField, CareRecord):
        try:
            return vocabulary(key).label
        except ValueError:
            continue
    return key
