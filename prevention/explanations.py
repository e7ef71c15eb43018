"""Plain-language explanations of check-up results: what each measure is, what its level
means, and what to do. Pure functions over canonical values (``health.readings`` units).

The levels use the thresholds of ``health.screening`` (and name nothing new): a value is
``normal``, ``low``, ``borderline``, ``high`` or ``very_high``. The words are gettext
strings, so they follow the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from health import screening as s
from health.models import Sex
from health.readings import READINGS, bmi


class Level(StrEnum):
    NORMAL = "normal"
    LOW = "low"
    BORDERLINE = "borderline"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])

    @property
    def is_abnormal(self) -> bool:
        return self is not Level.NORMAL


LEVEL_LABELS = {
    Level.NORMAL: _l("In the healthy range"),
    Level.LOW: _l("Low"),
    Level.BORDERLINE: _l("Borderline"),
    Level.HIGH: _l("High"),
    Level.VERY_HIGH: _l("Very high"),
}

#: What each measure is, in words anyone can follow.
WHAT_IT_IS = {
    "systolic": _l("Systolic blood pressure is the pressure in your arteries while your "
                   "heart beats (the upper number)."),
    "diastolic": _l("Diastolic blood pressure is the pressure in your arteries between "
                    "beats (the lower number)."),
    "fasting_glucose": _l("Fasting glucose is the sugar in your blood after at least 8 "
                          "hours without food. It shows how well your body handles sugar."),
    "hba1c": _l("HbA1c shows your average blood sugar over the last two to three months."),
    "total_cholesterol": _l("Total cholesterol is all the cholesterol (a fat) carried in "
                            "your blood."),
    "ldl": _l("LDL-C is the \"bad\" cholesterol: too much of it builds up in the walls of "
              "your arteries and raises the risk of heart attack and stroke."),
    "hdl": _l("HDL-C is the \"good\" cholesterol: it carries cholesterol away from your "
              "arteries. Higher is better."),
    "triglycerides": _l("Triglycerides are fats in your blood that come mostly from food, "
                        "sugar and alcohol."),
    "height": _l("Your height, used to work out your BMI."),
    "weight": _l("Your body weight, used to work out your BMI."),
    "bmi": _l("BMI (body mass index) is your weight in kg divided by the square of your "
              "height in metres. For Chinese adults 18.5 to 23.9 is healthy."),
    "waist": _l("Waist size shows fat around the belly, which raises the risk of diabetes "
                "and heart disease more than fat elsewhere."),
    "uric_acid": _l("Uric acid is a waste product in your blood. Too much of it can cause "
                    "gout and harm the kidneys."),
}

#: What a level means and what to do, per measure group.
_GROUP = {
    "systolic": "bp", "diastolic": "bp", "fasting_glucose": "glucose", "hba1c": "glucose",
    "total_cholesterol": "lipids", "ldl": "lipids", "triglycerides": "lipids", "hdl": "hdl",
    "bmi": "weight", "waist": "weight", "uric_acid": "uric_acid",
}

ADVICE = {
    ("bp", Level.BORDERLINE): _l("Slightly above ideal (high-normal). Eat less salt, move "
                                 "more, and check it again within a year."),
    ("bp", Level.HIGH): _l("In the range of high blood pressure. Have it measured again on "
                           "another day; if it stays high, see a doctor about it."),
    ("bp", Level.VERY_HIGH): _l("Well above the healthy range. See a doctor soon."),
    ("glucose", Level.BORDERLINE): _l("Higher than healthy but below the diabetes range "
                                      "(impaired fasting glucose). Weight, diet and activity "
                                      "changes now can stop it from getting worse."),
    ("glucose", Level.HIGH): _l("In the diabetes range. A doctor should confirm it with "
                                "another test and advise you."),
    ("lipids", Level.BORDERLINE): _l("Slightly above ideal. Eat fewer fried and fatty "
                                     "foods, more vegetables and whole grains, and move "
                                     "more."),
    ("lipids", Level.HIGH): _l("Raised. Talk to a doctor about your overall heart risk and "
                               "whether you need more than lifestyle changes."),
    ("lipids", Level.VERY_HIGH): _l("Very high. See a doctor: this level often needs "
                                    "treatment."),
    ("hdl", Level.LOW): _l("Lower than healthy. Regular exercise and not smoking raise it."),
    ("weight", Level.BORDERLINE): _l("Above the healthy range (overweight or a large waist). "
                                     "Losing a little weight lowers blood pressure, sugar "
                                     "and fats."),
    ("weight", Level.HIGH): _l("In the obesity range. A doctor or dietitian can help you "
                               "plan to lose weight safely."),
    ("uric_acid", Level.HIGH): _l("Raised. Drink more water, limit alcohol, seafood and "
                                  "sugary drinks, and ask a doctor if you have joint pain."),
}

NORMAL_ADVICE = _l("Nothing to do but keep up your healthy habits.")


@dataclass(frozen=True)
class Explained:
    key: str
    label: str
    value: float
    unit: str
    level: Level | None  #: None: no healthy range applies on its own (height, weight)
    what_it_is: str
    advice: str

    @property
    def shown_value(self) -> float:
        """The value at the lab's precision (its level came from the exact value)."""
        return READINGS[self.key].shown(self.value) if self.key in READINGS \
            else round(self.value, 1)

    @property
    def is_abnormal(self) -> bool:
        return self.level is not None and self.level.is_abnormal


def level_of(key: str, value: float, *, sex: Sex | None = None) -> Level | None:
    """The level of one canonical value (thresholds of ``health.screening``)."""
    match key:
        case "systolic" | "diastolic":
            index = 0 if key == "systolic" else 1
            if value >= s.BP_GRADE_2[index]:
                return Level.VERY_HIGH
            if value >= s.BP_GRADE_1[index]:
                return Level.HIGH
            return Level.BORDERLINE if value >= s.BP_HIGH_NORMAL[index] else Level.NORMAL
        case "fasting_glucose":
            if value >= s.FPG_DIABETES:
                return Level.HIGH
            return Level.BORDERLINE if value >= s.FPG_IMPAIRED else Level.NORMAL
        case "hba1c":
            return Level.HIGH if value >= s.HBA1C_DIABETES else Level.NORMAL
        case "total_cholesterol":
            return _banded(value, s.TC_BORDERLINE, s.TC_HIGH)
        case "ldl":
            if value >= s.LDL_VERY_HIGH:
                return Level.VERY_HIGH
            return _banded(value, s.LDL_BORDERLINE, s.LDL_HIGH)
        case "triglycerides":
            return _banded(value, s.TG_BORDERLINE, s.TG_HIGH)
        case "hdl":
            return Level.LOW if value < s.HDL_LOW else Level.NORMAL
        case "bmi":
            return _banded(value, s.BMI_OVERWEIGHT, s.BMI_OBESITY)
        case "waist":
            if sex is None:
                return None
            if value >= s.WAIST_CENTRAL[sex]:
                return Level.HIGH
            return Level.BORDERLINE if value >= s.WAIST_PRE_CENTRAL[sex] else Level.NORMAL
        case "uric_acid":
            return Level.HIGH if value > s.URIC_ACID_HIGH else Level.NORMAL
    return None


def _banded(value: float, borderline: float, high: float) -> Level:
    if value >= high:
        return Level.HIGH
    return Level.BORDERLINE if value >= borderline else Level.NORMAL


def explain(readings: dict[str, float], *, sex: Sex | None = None,
            adult: bool = True) -> list[Explained]:
    """Each reading of one check-up (and the BMI it gives), with its level and words, in
    the order of ``health.readings.READINGS``. For a child (``adult=False``) only what each
    measure is: the adult thresholds give no level."""
    values = dict(readings)
    derived = bmi(values.get("weight"), values.get("height"))
    result = []
    for key, spec in READINGS.items():
        if key in values:
            result.append(_explained(key, str(spec.label), values[key], spec.unit, sex, adult))
        if key == "weight" and derived is not None:
            result.append(_explained("bmi", "BMI", derived, "kg/m²", sex, adult))
    return result


def _explained(key: str, label: str, value: float, unit: str, sex: Sex | None,
               adult: bool = True) -> Explained:
    level = level_of(key, value, sex=sex) if adult else None
    if level is None or level is Level.NORMAL:
        advice = str(NORMAL_ADVICE) if level is not None else ""
    else:
        group = _GROUP.get(key, "")
        advice = str(ADVICE.get((group, level)) or ADVICE.get((group, Level.HIGH), ""))
    return Explained(key=key, label=label, value=value, unit=unit, level=level,
                     what_it_is=str(WHAT_IT_IS.get(key, "")), advice=advice)


def any_abnormal(readings: dict[str, float], *, sex: Sex | None = None) -> bool:
    return any(item.is_abnormal for item in explain(readings, sex=sex))
