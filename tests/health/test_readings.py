"""Units, conversions and physiologic ranges (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from health.errors import InvalidReading
from health.readings import format_reading, normalise_readings, shown_readings
from health.screening import screen


def test_lab_units_are_converted_to_canonical_units():
    values = normalise_readings({
        "fasting_glucose": (126, "mg/dL"), "total_cholesterol": ("232", "mg/dL"),
        "triglycerides": (177.1, "mg/dL"), "uric_acid": (7.0, "mg/dL"),
        "hba1c": (48, "mmol/mol"), "height": (1.72, "m"), "systolic": ("145", None),
        "diastolic": (95, "mmHg")})
    assert shown_readings(values) == {"fasting_glucose": 7.0, "total_cholesterol": 6.0,
                      "triglycerides": 2.0, "uric_acid": 416.0, "hba1c": 6.5,
                      "height": 172.0, "systolic": 145, "diastolic": 95}


def test_empty_values_are_left_out():
    assert normalise_readings({"weight": ("", "kg"), "height": (None, None),
                               "waist": (80, None)}) == {"waist": 80}


@pytest.mark.parametrize(("readings", "field"), [
    ({"systolic": (20, None), "diastolic": (400, None)}, "systolic"),
    ({"weight": (-70, "kg")}, "weight"),
    ({"weight": ("seventy", "kg")}, "weight"),
    ({"weight": ("nan", "kg")}, "weight"),
    ({"fasting_glucose": (5.4, "g/L")}, "fasting_glucose"),
    ({"systolic": (120, None)}, "diastolic"),
    ({"systolic": (80, None), "diastolic": (120, None)}, "diastolic"),
    ({"bogus": (1, None)}, "bogus"),
])
def test_impossible_values_are_refused_naming_the_field(readings, field):
    with pytest.raises(InvalidReading) as caught:
        normalise_readings(readings)
    assert field in caught.value.fields


def test_a_unit_mix_up_is_pointed_out():
    with pytest.raises(InvalidReading) as caught:
        normalise_readings({"fasting_glucose": (110, "mmol/L")})
    assert "mg/dL" in caught.value.fields["fasting_glucose"]


def test_a_value_just_under_a_cut_off_is_not_rounded_up_into_it():
    """125.95 mg/dL of fasting glucose is 6.997 mmol/L: below the 7.0 diabetes cut-off,
    even though a lab shows it as 7.00; 139.6 mmHg is below 140. Values are stored exact
    and rounded only where people read them."""
    values = normalise_readings({"fasting_glucose": (125.95, "mg/dL"),
                                 "systolic": (139.6, None), "diastolic": (89.6, None)})
    assert values["fasting_glucose"] < 7.0 and values["systolic"] < 140
    assert shown_readings(values) == {"fasting_glucose": 7.0, "systolic": 140, "diastolic": 90}
    codes = {flag.code for flag in screen(checkups=[(date(2026, 11, 2), values)],
                                          questionnaires=[], profile={}).flags}
    assert not {"diabetes_range", "hypertension"} & codes


def test_readings_are_shown_at_the_labs_precision(app):
    with app.test_request_context():
        assert format_reading(6.997222222, "fasting_glucose") == "7"
        assert format_reading(5.2349, "ldl") == "5.23"
        assert format_reading(139.6, "systolic") == "140"
        assert format_reading(1234.0, "uric_acid") == "1,234"
