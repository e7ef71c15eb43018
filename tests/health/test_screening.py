"""Screening thresholds at and around every boundary (pure: no database)."""

from __future__ import annotations

from datetime import date

import pytest

from health.models import QuestionnaireKind
from health.questionnaires import score
from health.screening import NextStep, QuestionnaireOutcome, screen

ON = date(2026, 10, 12)


def _codes(readings=None, profile=None, questionnaires=()):
    checkups = [(ON, readings)] if readings else []
    result = screen(checkups=checkups, questionnaires=list(questionnaires),
                    profile=profile or {})
    return {f.code: f for f in result.flags}


@pytest.mark.parametrize(("systolic", "diastolic", "code"), [
    (119, 79, None),
    (120, 79, "bp_high_normal"),
    (119, 80, "bp_high_normal"),
    (139, 89, "bp_high_normal"),
    (140, 89, "bp_grade_1"),
    (139, 90, "bp_grade_1"),
    (159, 99, "bp_grade_1"),
    (160, 80, "bp_grade_2"),
    (150, 100, "bp_grade_2"),
    (179, 109, "bp_grade_2"),
    (180, 90, "bp_grade_3"),
    (150, 110, "bp_grade_3"),
])
def test_blood_pressure_bands_follow_the_chinese_hypertension_guideline(systolic, diastolic,
                                                                       code):
    flags = _codes({"systolic": systolic, "diastolic": diastolic})
    bp = [c for c in flags if c.startswith("bp_")]
    assert bp == ([code] if code else [])


def test_a_flag_says_which_value_raised_it_when_and_the_next_step():
    flag = _codes({"systolic": 145, "diastolic": 95})["bp_grade_1"]
    assert flag.value == "145/95 mmHg"
    assert flag.observed_on == ON
    assert flag.next_step is NextStep.INTERVENE
    assert "2024" in flag.guideline


@pytest.mark.parametrize(("fpg", "code"), [
    (6.0, None), (6.1, "glucose_impaired"), (6.99, "glucose_impaired"),
    (7.0, "glucose_diabetes")])
def test_fasting_glucose_cut_offs(fpg, code):
    flags = [c for c in _codes({"fasting_glucose": fpg}) if c.startswith("glucose")]
    assert flags == ([code] if code else [])


@pytest.mark.parametrize(("hba1c", "flagged"), [(6.4, False), (6.5, True)])
def test_hba1c_cut_off(hba1c, flagged):
    assert ("hba1c_diabetes" in _codes({"hba1c": hba1c})) is flagged


@pytest.mark.parametrize(("readings", "code"), [
    ({"total_cholesterol": 5.19}, None),
    ({"total_cholesterol": 5.2}, "lipids_borderline"),
    ({"total_cholesterol": 6.2}, "lipids_high"),
    ({"ldl": 3.39}, None),
    ({"ldl": 3.4}, "lipids_borderline"),
    ({"ldl": 4.1}, "lipids_high"),
    ({"ldl": 4.9}, "ldl_very_high"),
    ({"triglycerides": 1.69}, None),
    ({"triglycerides": 1.7}, "lipids_borderline"),
    ({"triglycerides": 2.3}, "lipids_high"),
    ({"hdl": 1.0}, None),
    ({"hdl": 0.99}, "lipids_high"),
])
def test_lipid_cut_offs_follow_the_2023_lipid_guideline(readings, code):
    flags = [c for c in _codes(readings) if "lipids" in c or "ldl" in c]
    assert flags == ([code] if code else [])


@pytest.mark.parametrize(("bmi", "code"), [
    (23.9, None), (24.0, "overweight"), (27.9, "overweight"), (28.0, "obesity")])
def test_bmi_cut_offs_follow_ws_t_428(bmi, code):
    # at a height of 100 cm the BMI equals the weight
    flags = _codes({"weight": bmi, "height": 100})
    assert [c for c in flags if c in {"overweight", "obesity"}] == ([code] if code else [])


@pytest.mark.parametrize(("sex", "waist", "code"), [
    ("male", 84.9, None), ("male", 85, "waist_pre_central"), ("male", 90, "waist_central"),
    ("female", 79.9, None), ("female", 80, "waist_pre_central"),
    ("female", 85, "waist_central"),
])
def test_waist_cut_offs_depend_on_sex(sex, waist, code):
    flags = [c for c in _codes({"waist": waist}, {"sex": sex}) if c.startswith("waist")]
    assert flags == ([code] if code else [])


def test_waist_is_not_judged_without_knowing_sex():
    assert not _codes({"waist": 100})


@pytest.mark.parametrize(("value", "flagged"), [(420, False), (421, True)])
def test_uric_acid_cut_off(value, flagged):
    assert ("uric_acid_high" in _codes({"uric_acid": value})) is flagged


def _outcome(kind, answers):
    return QuestionnaireOutcome(score(kind, answers), ON)


@pytest.mark.parametrize(("total", "code"), [
    (4, None), (5, "phq9_mild"), (9, "phq9_mild"), (10, "phq9_moderate"),
    (14, "phq9_moderate"), (15, "phq9_severe"), (20, "phq9_severe")])
def test_phq9_bands(total, code):
    answers = [min(3, max(0, total - 3 * i)) for i in range(8)] + [0]
    assert sum(answers) == total
    flags = _codes(questionnaires=[_outcome(QuestionnaireKind.PHQ9, answers)])
    assert [c for c in flags if c.startswith("phq9")] == ([code] if code else [])


@pytest.mark.parametrize(("total", "code"), [
    (4, None), (5, "gad7_mild"), (10, "gad7_moderate"), (14, "gad7_moderate"),
    (15, "gad7_severe")])
def test_gad7_bands(total, code):
    answers = [min(3, max(0, total - 3 * i)) for i in range(7)]
    flags = _codes(questionnaires=[_outcome(QuestionnaireKind.GAD7, answers)])
    assert [c for c in flags if c.startswith("gad7")] == ([code] if code else [])


@pytest.mark.parametrize(("total", "code"), [
    (7, None), (8, "isi_subthreshold"), (14, "isi_subthreshold"), (15, "isi_moderate"),
    (21, "isi_moderate"), (22, "isi_severe")])
def test_isi_bands(total, code):
    answers = [min(4, max(0, total - 4 * i)) for i in range(7)]
    flags = _codes(questionnaires=[_outcome(QuestionnaireKind.ISI, answers)])
    assert [c for c in flags if c.startswith("isi")] == ([code] if code else [])


def test_phq9_item_9_opens_the_crisis_path_whatever_the_total():
    answers = [0] * 8 + [1]
    result = screen(checkups=[], questionnaires=[_outcome(QuestionnaireKind.PHQ9, answers)],
                    profile={})
    assert result.crisis


def test_only_the_latest_questionnaire_of_a_kind_counts():
    old = QuestionnaireOutcome(score(QuestionnaireKind.PHQ9, [0] * 8 + [2]), date(2026, 1, 1))
    new = QuestionnaireOutcome(score(QuestionnaireKind.PHQ9, [0] * 9), date(2026, 2, 1))
    result = screen(checkups=[], questionnaires=[new, old], profile={})
    assert not result.crisis
    assert not result.flags


def test_latest_reading_wins_and_bmi_uses_the_latest_known_height():
    checkups = [(date(2025, 1, 1), {"systolic": 150, "diastolic": 95, "height": 170}),
                (date(2026, 1, 1), {"systolic": 118, "diastolic": 76, "weight": 75})]
    flags = {f.code: f for f in screen(checkups=checkups, questionnaires=[], profile={}).flags}
    assert "bp_grade_1" not in flags
    assert flags["overweight"].value == "26"
    assert flags["overweight"].observed_on == date(2026, 1, 1)


def test_lifestyle_flags():
    flags = _codes(profile={"sleep_hours": 5.5, "activity_minutes_per_week": 149,
                            "smoking": "current"})
    assert {"short_sleep", "low_activity", "smoking"} <= set(flags)
    assert not _codes(profile={"sleep_hours": 6, "activity_minutes_per_week": 150,
                               "smoking": "former"})


@pytest.mark.parametrize(("weight", "code", "shown"), [
    (23.96, None, None),  # shows as 24.0, but is under the cut-off: not flagged
    (24.0, "overweight", "24"),
    (27.96, "overweight", "28"),  # shows as 28.0, still only overweight
    (28.0, "obesity", "28"),
])
def test_a_bmi_just_under_a_cut_off_is_not_flagged_though_it_shows_rounded(weight, code,
                                                                            shown):
    flags = {f.code: f for f in screen(checkups=[(date(2026, 1, 1), {
        "weight": weight, "height": 100})], questionnaires=[], profile={}).flags}
    found = [c for c in flags if c in {"overweight", "obesity"}]
    assert found == ([code] if code else [])
    if code:
        assert flags[code].value == shown


def test_a_bmi_exactly_at_the_cut_off_is_flagged_whatever_the_float_noise():
    # 69.36 kg at 170 cm is exactly 24.0 (computed naively it is 24.000000000000004)
    flags = {f.code for f in screen(checkups=[(date(2026, 1, 1), {
        "weight": 69.36, "height": 170})], questionnaires=[], profile={}).flags}
    assert "overweight" in flags
