"""CSV and JSON check-up import: all or nothing, errors name the row and the field."""

from __future__ import annotations

import json

import pytest

from health import importing, services
from health.errors import ImportRejected
from health.readings import shown_readings


@pytest.fixture
def config_overrides() -> dict:
    return {"DEFAULT_LOCALE": "en", "BABEL_DEFAULT_LOCALE": "en"}


CSV = """measured_on,source,systolic,diastolic,fasting_glucose,fasting_glucose_unit,ldl,ldl_unit
2026-04-02,Ruijin Hospital,138,88,104,mg/dL,3.2,mmol/L
2026-10-12,Ruijin Hospital,145,95,126,mg/dL,158,mg/dL
"""


def test_a_csv_report_is_imported_and_converted(employee, now):
    saved = importing.import_checkups(employee, rows=importing.parse_csv(CSV.encode()),
                                      now=now)
    assert len(saved) == 2
    latest = services.list_checkups(employee)[0]
    assert shown_readings(latest.readings) == {"systolic": 145, "diastolic": 95,
                                               "fasting_glucose": 7.0, "ldl": 4.09}


def test_a_json_report_is_imported(employee, now):
    content = json.dumps({"checkups": [{"measured_on": "2026-10-12", "weight": 70,
                                        "uric_acid": 7.5, "uric_acid_unit": "mg/dL"}]})
    importing.import_checkups(employee, rows=importing.parse_json(content), now=now)
    assert shown_readings(services.list_checkups(employee)[0].readings)["uric_acid"] == 446


@pytest.mark.parametrize(("content", "row", "field"), [
    (CSV + "2026-10-13,,20,400,,,,\n", 3, "systolic"),
    (CSV + "13/10/2026,,120,80,,,,\n", 3, "measured_on"),
    (CSV.replace("104,mg/dL", "104,mmol/L"), 1, "fasting_glucose"),
    (CSV + "2026-10-13,,120,80,,,,,extra\n", 3, "file"),
    ("measured_on,blood_type\n2026-01-01,A\n", 1, "blood_type"),
])
def test_a_bad_row_is_named_and_nothing_is_saved(employee, now, content, row, field):
    with pytest.raises(ImportRejected) as caught:
        importing.import_checkups(employee, rows=importing.parse_csv(content), now=now)
    assert f"row {row}: {field}" in caught.value.fields
    assert f"Row {row}" in str(caught.value.message)
    assert services.list_checkups(employee) == []


@pytest.mark.parametrize(("parse", "content"), [
    (importing.parse_csv, b""), (importing.parse_csv, b"\xff\xfe\x00"),
    (importing.parse_json, b"{not json"), (importing.parse_json, b"[]")])
def test_malformed_or_empty_files_are_refused(employee, now, parse, content):
    def run():
        importing.import_checkups(employee, rows=parse(content), now=now)

    with pytest.raises(ImportRejected):
        run()


def test_json_with_the_wrong_shape_is_refused(employee, now):
    with pytest.raises(ImportRejected):
        importing.parse_json('{"checkups": [1, 2]}')
    with pytest.raises(ImportRejected) as caught:
        importing.import_checkups(employee, rows=importing.parse_json(
            '[{"measured_on": "2026-01-01", "weight": "heavy"}]'), now=now)
    assert "row 1: weight" in caught.value.fields
