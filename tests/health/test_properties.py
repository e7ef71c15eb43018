"""Properties that must hold for every value, not just the chosen ones (pure)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from health.readings import normalise_readings
from health.screening import blood_pressure_flag, screen

ON = date(2026, 10, 12)
#: Fast, and no example database left in the working tree.
FAST = settings(max_examples=50, database=None)


@FAST
@given(st.floats(min_value=1.0, max_value=40.0))
def test_glucose_in_mg_dl_converts_back_to_the_same_mmol_l(mmol):
    converted = normalise_readings({"fasting_glucose": (mmol * 18.0, "mg/dL")})
    assert abs(converted["fasting_glucose"] - mmol) <= 0.006


@FAST
@given(st.integers(60, 259), st.integers(30, 159), st.integers(0, 20), st.integers(0, 20))
def test_higher_blood_pressure_never_lowers_the_next_step(systolic, diastolic, more_sys,
                                                         more_dia):
    def weight(s, d):
        flag = blood_pressure_flag(s, d, ON)
        return flag.next_step.weight if flag else 0

    assert weight(systolic + more_sys, diastolic + more_dia) >= weight(systolic, diastolic)


@FAST
@given(st.dictionaries(st.sampled_from(["systolic", "diastolic", "fasting_glucose", "ldl",
                                        "weight", "height", "waist", "uric_acid"]),
                       st.floats(min_value=0.1, max_value=500)))
def test_screening_never_fails_on_plausible_readings(readings):
    result = screen(checkups=[(ON, readings)], questionnaires=[],
                    profile={"sex": "female"})
    assert not result.crisis
