"""Screening: risk flags from a person's latest readings, questionnaires and lifestyle.

Pure functions over plain values. Thresholds, each with the guideline it comes from
(see also docs/health.md):

- Blood pressure, 中国高血压防治指南（2024年修订版）(Chinese Guidelines for the Prevention
  and Treatment of Hypertension, 2024 revision): high-normal 120–139 and/or 80–89 mmHg;
  hypertension ≥140 and/or ≥90 — grade 1 140–159/90–99, grade 2 160–179/100–109,
  grade 3 ≥180/≥110. The higher grade of the two values counts.
- Glucose, 中国糖尿病防治指南（2024版）(Chinese Diabetes Society guideline, 2024 edition):
  impaired fasting glucose 6.1–<7.0 mmol/L; diabetes range fasting glucose ≥7.0 mmol/L or
  HbA1c ≥6.5%.
- Lipids, 中国血脂管理指南（2023年）(Chinese Guidelines for Lipid Management 2023):
  borderline TC 5.2–<6.2, LDL-C 3.4–<4.1, TG 1.7–<2.3 mmol/L; high TC ≥6.2, LDL-C ≥4.1,
  TG ≥2.3, low HDL-C <1.0 mmol/L; LDL-C ≥4.9 mmol/L calls for a doctor.
- Weight, WS/T 428—2013 成人体重判定 (national health standard, Criteria of weight for
  adults): BMI 24.0–27.9 overweight, ≥28.0 obesity; waist ≥90 cm (men) / ≥85 cm (women)
  central obesity, 85–<90 / 80–<85 cm pre-central obesity.
- Uric acid, 中国高尿酸血症与痛风诊疗指南（2019）(Chinese guideline for hyperuricaemia and
  gout): hyperuricaemia above 420 µmol/L.
- PHQ-9, GAD-7 and ISI bands as in ``health.questionnaires``.
- Lifestyle: sleep under 6 hours a night; fewer than 150 minutes of moderate activity a week
  (中国人群身体活动指南（2021）); smoking now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from health.models import Sex, Smoking
from health.questionnaires import Result
from health.readings import READINGS, exact_bmi
from health.vocabulary import NeedTag

GUIDELINE_HYPERTENSION = "中国高血压防治指南（2024年修订版）"
GUIDELINE_DIABETES = "中国糖尿病防治指南（2024版）"
GUIDELINE_LIPIDS = "中国血脂管理指南（2023年）"
GUIDELINE_WEIGHT = "WS/T 428—2013 成人体重判定"
GUIDELINE_URIC_ACID = "中国高尿酸血症与痛风诊疗指南（2019）"
GUIDELINE_ACTIVITY = "中国人群身体活动指南（2021）"
INSTRUMENT = {"phq9": "PHQ-9", "gad7": "GAD-7", "isi": "ISI"}

# Blood pressure (mmHg)
BP_HIGH_NORMAL = (120, 80)
BP_GRADE_1 = (140, 90)
BP_GRADE_2 = (160, 100)
BP_GRADE_3 = (180, 110)
# Glucose
FPG_IMPAIRED = 6.1  # mmol/L
FPG_DIABETES = 7.0  # mmol/L
HBA1C_DIABETES = 6.5  # %
# Lipids (mmol/L)
TC_BORDERLINE, TC_HIGH = 5.2, 6.2
LDL_BORDERLINE, LDL_HIGH, LDL_VERY_HIGH = 3.4, 4.1, 4.9
TG_BORDERLINE, TG_HIGH = 1.7, 2.3
HDL_LOW = 1.0
# Weight
BMI_OVERWEIGHT, BMI_OBESITY = 24.0, 28.0
WAIST_CENTRAL = {Sex.MALE: 90.0, Sex.FEMALE: 85.0}  # cm, at or above
WAIST_PRE_CENTRAL = {Sex.MALE: 85.0, Sex.FEMALE: 80.0}
# Uric acid
URIC_ACID_HIGH = 420  # µmol/L, above
# Lifestyle
SLEEP_SHORT_HOURS = 6  # under
ACTIVITY_MINUTES = 150  # per week, under


class NextStep(StrEnum):
    """The five-early ladder, from the lightest step to the heaviest."""

    SCREEN_AGAIN = "screen_again"
    PREVENT = "prevent"
    INTERVENE = "intervene"
    SEE_DOCTOR = "see_doctor"

    @property
    def label(self) -> str:
        return str(NEXT_STEP_LABELS[self])

    @property
    def advice(self) -> str:
        return str(NEXT_STEP_ADVICE[self])

    @property
    def weight(self) -> int:
        return list(NextStep).index(self) + 1


NEXT_STEP_LABELS = {
    NextStep.SCREEN_AGAIN: _l("Screen again"),
    NextStep.PREVENT: _l("Prevent"),
    NextStep.INTERVENE: _l("Intervene"),
    NextStep.SEE_DOCTOR: _l("See a doctor"),
}
NEXT_STEP_ADVICE = {
    NextStep.SCREEN_AGAIN: _l("Check this again in a few weeks to see whether it persists."),
    NextStep.PREVENT: _l("Small changes now in diet, activity and sleep keep this from "
                         "becoming a problem."),
    NextStep.INTERVENE: _l("Act on this now with a structured programme, and confirm the "
                           "value with a repeat measurement."),
    NextStep.SEE_DOCTOR: _l("Please see a doctor about this soon. Services here can support "
                            "medical care but not replace it."),
}

TITLES = {
    "bp_high_normal": _l("Blood pressure in the high-normal range"),
    "bp_grade_1": _l("Blood pressure in the grade 1 hypertension range"),
    "bp_grade_2": _l("Blood pressure in the grade 2 hypertension range"),
    "bp_grade_3": _l("Blood pressure in the grade 3 hypertension range"),
    "glucose_impaired": _l("Impaired fasting glucose"),
    "glucose_diabetes": _l("Fasting glucose in the diabetes range"),
    "hba1c_diabetes": _l("HbA1c in the diabetes range"),
    "lipids_borderline": _l("Borderline blood lipids"),
    "lipids_high": _l("Raised blood lipids"),
    "ldl_very_high": _l("Very high LDL cholesterol"),
    "overweight": _l("Overweight"),
    "obesity": _l("Obesity"),
    "waist_pre_central": _l("Waist close to the central obesity cut-off"),
    "waist_central": _l("Central obesity (waist)"),
    "uric_acid_high": _l("High uric acid"),
    "phq9_mild": _l("Mild symptoms of depression"),
    "phq9_moderate": _l("Moderate symptoms of depression"),
    "phq9_severe": _l("Moderately severe or severe symptoms of depression"),
    "gad7_mild": _l("Mild symptoms of anxiety"),
    "gad7_moderate": _l("Moderate symptoms of anxiety"),
    "gad7_severe": _l("Severe symptoms of anxiety"),
    "isi_subthreshold": _l("Some trouble sleeping"),
    "isi_moderate": _l("Moderate insomnia"),
    "isi_severe": _l("Severe insomnia"),
    "short_sleep": _l("Short sleep"),
    "low_activity": _l("Less activity than recommended"),
    "smoking": _l("Smoking"),
}

#: The reading a flag comes from, for reasons in plain words.
SUBJECTS = {
    "blood_pressure": _l("blood pressure"),
    "fasting_glucose": _l("fasting glucose"),
    "hba1c": _l("HbA1c"),
    "total_cholesterol": _l("total cholesterol"),
    "ldl": _l("LDL cholesterol"),
    "hdl": _l("HDL cholesterol"),
    "triglycerides": _l("triglycerides"),
    "bmi": _l("BMI"),
    "waist": _l("waist"),
    "uric_acid": _l("uric acid"),
    "phq9": _l("PHQ-9 score"),
    "gad7": _l("GAD-7 score"),
    "isi": _l("sleep (ISI) score"),
    "sleep_hours": _l("usual sleep"),
    "activity": _l("weekly activity"),
    "smoking": _l("smoking"),
}


@dataclass(frozen=True)
class Flag:
    code: str
    need: NeedTag
    next_step: NextStep
    subject: str  #: a key of SUBJECTS: what raised the flag
    value: str  #: the value that raised it, with its unit ("145/95 mmHg")
    observed_on: date | None  #: when it was measured (None for lifestyle answers)
    guideline: str

    @property
    def title(self) -> str:
        return str(TITLES[self.code])

    @property
    def subject_label(self) -> str:
        return str(SUBJECTS[self.subject])


@dataclass(frozen=True)
class Observation:
    """One reading with the date it was measured."""

    value: float
    on: date


@dataclass(frozen=True)
class QuestionnaireOutcome:
    result: Result
    on: date


@dataclass(frozen=True)
class Screening:
    flags: tuple[Flag, ...]
    crisis: bool  #: the latest PHQ-9 answered item 9 above 0

    def needs(self) -> dict[NeedTag, Flag]:
        """The most serious flag for each need."""
        best: dict[NeedTag, Flag] = {}
        for flag in self.flags:
            if flag.need not in best or flag.next_step.weight > best[flag.need].next_step.weight:
                best[flag.need] = flag
        return best


def _n(value: float, key: str | None = None) -> str:
    """A value as the flag shows it: a reading at the lab's precision (it was compared
    unrounded)."""
    return f"{(READINGS[key].shown(value) if key in READINGS else value):g}"


def latest_readings(checkups: Iterable[tuple[date, dict[str, float]]]) -> dict[str, Observation]:
    """The most recent value of each reading across check-ups, plus BMI (from the weight
    and the height measured with it, or the latest height known). BMI is kept exact, so
    that a cut-off is compared with the true value; it is rounded only where shown."""
    latest: dict[str, Observation] = {}
    for on, readings in sorted(checkups, key=lambda c: c[0]):
        for key, value in readings.items():
            latest[key] = Observation(value, on)
        if "weight" in readings:
            height = readings.get("height") or (latest.get("height") and latest["height"].value)
            value = exact_bmi(readings["weight"], height)
            if value is not None:
                latest["bmi"] = Observation(value, on)
    return latest


def blood_pressure_flag(systolic: float, diastolic: float, on: date) -> Flag | None:
    grades = [("bp_grade_3", BP_GRADE_3, NextStep.SEE_DOCTOR),
              ("bp_grade_2", BP_GRADE_2, NextStep.SEE_DOCTOR),
              ("bp_grade_1", BP_GRADE_1, NextStep.INTERVENE),
              ("bp_high_normal", BP_HIGH_NORMAL, NextStep.PREVENT)]
    for code, (sys_limit, dia_limit), step in grades:
        if systolic >= sys_limit or diastolic >= dia_limit:
            return Flag(code, NeedTag.HYPERTENSION, step, "blood_pressure",
                        f"{_n(systolic, 'systolic')}/{_n(diastolic, 'diastolic')} mmHg", on,
                        GUIDELINE_HYPERTENSION)
    return None


def glucose_flags(latest: dict[str, Observation]) -> list[Flag]:
    flags = []
    fpg = latest.get("fasting_glucose")
    if fpg is not None:
        value = f"{_n(fpg.value, 'fasting_glucose')} mmol/L"
        if fpg.value >= FPG_DIABETES:
            flags.append(Flag("glucose_diabetes", NeedTag.HIGH_GLUCOSE, NextStep.SEE_DOCTOR,
                              "fasting_glucose", value, fpg.on, GUIDELINE_DIABETES))
        elif fpg.value >= FPG_IMPAIRED:
            flags.append(Flag("glucose_impaired", NeedTag.HIGH_GLUCOSE, NextStep.INTERVENE,
                              "fasting_glucose", value, fpg.on, GUIDELINE_DIABETES))
    hba1c = latest.get("hba1c")
    if hba1c is not None and hba1c.value >= HBA1C_DIABETES:
        flags.append(Flag("hba1c_diabetes", NeedTag.HIGH_GLUCOSE, NextStep.SEE_DOCTOR,
                          "hba1c", f"{_n(hba1c.value, 'hba1c')}%", hba1c.on, GUIDELINE_DIABETES))
    return flags


def lipid_flag(latest: dict[str, Observation]) -> Flag | None:
    """One flag for the lipids: the most serious reading raises it."""
    found: list[tuple[str, NextStep, str]] = []  # (code, step, subject)

    def check(key: str, borderline: float | None, high: float) -> None:
        obs = latest.get(key)
        if obs is None:
            return
        if obs.value >= high:
            found.append(("lipids_high", NextStep.INTERVENE, key))
        elif borderline is not None and obs.value >= borderline:
            found.append(("lipids_borderline", NextStep.PREVENT, key))

    ldl = latest.get("ldl")
    if ldl is not None and ldl.value >= LDL_VERY_HIGH:
        found.append(("ldl_very_high", NextStep.SEE_DOCTOR, "ldl"))
    check("ldl", LDL_BORDERLINE, LDL_HIGH)
    check("total_cholesterol", TC_BORDERLINE, TC_HIGH)
    check("triglycerides", TG_BORDERLINE, TG_HIGH)
    hdl = latest.get("hdl")
    if hdl is not None and hdl.value < HDL_LOW:
        found.append(("lipids_high", NextStep.INTERVENE, "hdl"))
    if not found:
        return None
    code, step, key = max(found, key=lambda f: f[1].weight)
    obs = latest[key]
    return Flag(code, NeedTag.DYSLIPIDAEMIA, step, key, f"{_n(obs.value, key)} mmol/L", obs.on,
                GUIDELINE_LIPIDS)


def weight_flags(latest: dict[str, Observation], sex: Sex | None) -> list[Flag]:
    flags = []
    bmi_obs = latest.get("bmi")
    if bmi_obs is not None:
        shown = _n(round(bmi_obs.value, 1))  # compare the exact value, show one decimal
        if bmi_obs.value >= BMI_OBESITY:
            flags.append(Flag("obesity", NeedTag.OVERWEIGHT, NextStep.INTERVENE, "bmi",
                              shown, bmi_obs.on, GUIDELINE_WEIGHT))
        elif bmi_obs.value >= BMI_OVERWEIGHT:
            flags.append(Flag("overweight", NeedTag.OVERWEIGHT, NextStep.PREVENT, "bmi",
                              shown, bmi_obs.on, GUIDELINE_WEIGHT))
    waist = latest.get("waist")
    if waist is not None and sex is not None:
        value = f"{_n(waist.value, 'waist')} cm"
        if waist.value >= WAIST_CENTRAL[sex]:
            flags.append(Flag("waist_central", NeedTag.OVERWEIGHT, NextStep.INTERVENE,
                              "waist", value, waist.on, GUIDELINE_WEIGHT))
        elif waist.value >= WAIST_PRE_CENTRAL[sex]:
            flags.append(Flag("waist_pre_central", NeedTag.OVERWEIGHT, NextStep.PREVENT,
                              "waist", value, waist.on, GUIDELINE_WEIGHT))
    return flags


def uric_acid_flag(latest: dict[str, Observation]) -> Flag | None:
    obs = latest.get("uric_acid")
    if obs is None or obs.value <= URIC_ACID_HIGH:
        return None
    return Flag("uric_acid_high", NeedTag.HYPERURICAEMIA, NextStep.INTERVENE, "uric_acid",
                f"{_n(obs.value, 'uric_acid')} µmol/L", obs.on, GUIDELINE_URIC_ACID)


#: (kind, band key) → (flag code, need, next step)
QUESTIONNAIRE_FLAGS = {
    ("phq9", "mild"): ("phq9_mild", NeedTag.DEPRESSION, NextStep.SCREEN_AGAIN),
    ("phq9", "moderate"): ("phq9_moderate", NeedTag.DEPRESSION, NextStep.INTERVENE),
    ("phq9", "moderately_severe"): ("phq9_severe", NeedTag.DEPRESSION, NextStep.SEE_DOCTOR),
    ("phq9", "severe"): ("phq9_severe", NeedTag.DEPRESSION, NextStep.SEE_DOCTOR),
    ("gad7", "mild"): ("gad7_mild", NeedTag.ANXIETY, NextStep.SCREEN_AGAIN),
    ("gad7", "moderate"): ("gad7_moderate", NeedTag.ANXIETY, NextStep.INTERVENE),
    ("gad7", "severe"): ("gad7_severe", NeedTag.ANXIETY, NextStep.SEE_DOCTOR),
    ("isi", "subthreshold"): ("isi_subthreshold", NeedTag.POOR_SLEEP, NextStep.PREVENT),
    ("isi", "moderate"): ("isi_moderate", NeedTag.POOR_SLEEP, NextStep.INTERVENE),
    ("isi", "severe"): ("isi_severe", NeedTag.POOR_SLEEP, NextStep.SEE_DOCTOR),
}


def questionnaire_flag(outcome: QuestionnaireOutcome) -> Flag | None:
    result = outcome.result
    entry = QUESTIONNAIRE_FLAGS.get((result.kind.value, result.band.key))
    if entry is None:
        return None
    code, need, step = entry
    return Flag(code, need, step, result.kind.value, str(result.score), outcome.on,
                INSTRUMENT[result.kind.value])


def lifestyle_flags(profile: dict) -> list[Flag]:
    flags = []
    sleep = profile.get("sleep_hours")
    if sleep is not None and sleep < SLEEP_SHORT_HOURS:
        flags.append(Flag("short_sleep", NeedTag.POOR_SLEEP, NextStep.PREVENT, "sleep_hours",
                          f"{_n(sleep)} h", None, ""))
    activity = profile.get("activity_minutes_per_week")
    if activity is not None and activity < ACTIVITY_MINUTES:
        flags.append(Flag("low_activity", NeedTag.FITNESS, NextStep.PREVENT, "activity",
                          f"{_n(activity)} min", None, GUIDELINE_ACTIVITY))
    if profile.get("smoking") == Smoking.CURRENT.value:
        flags.append(Flag("smoking", NeedTag.QUIT_SMOKING, NextStep.PREVENT, "smoking", "",
                          None, ""))
    return flags


def screen(*, checkups: Iterable[tuple[date, dict[str, float]]],
           questionnaires: Sequence[QuestionnaireOutcome], profile: dict) -> Screening:
    """Every flag the data raises, most serious first. ``questionnaires`` in any order: only
    the latest of each kind counts."""
    latest = latest_readings(checkups)
    flags: list[Flag] = []
    sys_obs, dia_obs = latest.get("systolic"), latest.get("diastolic")
    if sys_obs is not None and dia_obs is not None:
        flag = blood_pressure_flag(sys_obs.value, dia_obs.value, sys_obs.on)
        if flag:
            flags.append(flag)
    flags.extend(glucose_flags(latest))
    flags.extend(f for f in (lipid_flag(latest), uric_acid_flag(latest)) if f)
    sex = Sex(profile["sex"]) if profile.get("sex") else None
    flags.extend(weight_flags(latest, sex))
    newest: dict[str, QuestionnaireOutcome] = {}
    for outcome in sorted(questionnaires, key=lambda o: o.on):
        newest[outcome.result.kind.value] = outcome
    flags.extend(f for f in (questionnaire_flag(o) for o in newest.values()) if f)
    flags.extend(lifestyle_flags(profile))
    phq9 = newest.get("phq9")
    crisis = bool(phq9 and phq9.result.crisis)
    flags.sort(key=lambda f: -f.next_step.weight)
    return Screening(tuple(flags), crisis)
