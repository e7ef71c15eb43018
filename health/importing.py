"""Check-up import from a lab's report, as CSV or JSON. All or nothing: every row is checked
before anything is saved, and an error names the row and the field.

Both formats carry the same flat rows (documented in docs/health.md)::

    measured_on,source,systolic,diastolic,fasting_glucose,fasting_glucose_unit,...
    2026-10-12,Ruijin Hospital,145,95,126,mg/dL,...

    {"checkups": [{"measured_on": "2026-10-12", "source": "Ruijin Hospital",
                   "systolic": 145, "diastolic": 95,
                   "fasting_glucose": 126, "fasting_glucose_unit": "mg/dL"}]}

A reading's unit column is ``<reading>_unit``; without it the reading is in its canonical
unit (mmHg, mmol/L, %, cm, kg, µmol/L).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from flask_babel import gettext as _

from core.accounts.models import User
from core.bounds import loads_bounded
from health import services
from health.errors import ImportRejected, InvalidReading
from health.models import CheckUp, Dependant
from health.readings import READINGS

MAX_ROWS = 500
MAX_BYTES = 1024 * 1024
KNOWN_COLUMNS = ({"measured_on", "source"} | set(READINGS)
                 | {f"{key}_unit" for key in READINGS})


def _reject(row: int | None, field: str, message: str) -> ImportRejected:
    if row is None:
        text = _("The file could not be imported: %(problem)s Nothing was saved.",
                 problem=message)
        return ImportRejected(text, fields={field: message})
    text = _("Row %(row)s, %(field)s: %(problem)s Nothing was saved.", row=row, field=field,
             problem=message)
    return ImportRejected(text, fields={f"row {row}: {field}": message})


def parse_csv(content: bytes | str) -> list[dict[str, object]]:
    """Rows of a CSV file (UTF-8, with or without a BOM). Raises ImportRejected."""
    text = _decode(content)
    try:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise _reject(None, "file", _("The file is empty."))
        rows = []
        for row in reader:
            if None in row:
                raise _reject(reader.line_num - 1, "file",
                              _("This row has more values than the header has columns."))
            rows.append(dict(row))
    except csv.Error as exc:
        raise _reject(None, "file", _("This is not a valid CSV file.")) from exc
    return rows


def parse_json(content: bytes | str) -> list[dict[str, object]]:
    """Rows of a JSON report: {"checkups": [...]} or a bare list. Raises ImportRejected."""
    text = _decode(content)
    try:
        data = loads_bounded(text)
    except ValueError as exc:  # JsonTooDeep too: nesting past 32 levels is no report
        raise _reject(None, "file", _("This is not valid JSON.")) from exc
    rows = data.get("checkups") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise _reject(None, "checkups",
                      _('Expected {"checkups": [...]} with one object per check-up.'))
    return rows


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    if len(content) > MAX_BYTES:
        raise _reject(None, "file", _("The file is larger than 1 MB."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _reject(None, "file", _("Save the file as UTF-8 and try again.")) from exc


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    return date.fromisoformat(value.strip())


def import_checkups(user: User, *, rows: Sequence[Mapping[str, object]], now: datetime,
                    dependant: Dependant | None = None) -> list[CheckUp]:
    """Validate every row, then save them all: into the person's own record, or into the
    record of ``dependant`` (one of their family members). Raises ImportRejected naming the
    first wrong row (counted from 1, not counting the CSV header) and field; nothing is
    saved then."""
    services.require_owner(user)
    if not rows:
        raise _reject(None, "file", _("The file holds no check-ups."))
    if len(rows) > MAX_ROWS:
        raise _reject(None, "file", _("Import at most %(count)s check-ups at once.",
                                      count=MAX_ROWS))
    cleaned = []
    for number, row in enumerate(rows, start=1):
        unknown = sorted(str(k) for k in row if k not in KNOWN_COLUMNS)
        if unknown:
            raise _reject(number, unknown[0], _("This column is not one we know."))
        try:
            measured_on = _date(row.get("measured_on"))
        except ValueError as exc:
            raise _reject(number, "measured_on", _("Write the date as YYYY-MM-DD.")) from exc
        readings = {key: (row[key], _unit(row.get(f"{key}_unit")))
                    for key in READINGS if key in row}
        source = row.get("source")
        try:
            cleaned.append(services.validate_checkup(
                measured_on=measured_on, source=source if isinstance(source, str) else None,
                readings=readings, now=now))
        except InvalidReading as exc:
            field, message = next(iter(exc.fields.items()))
            raise _reject(number, field, message) from exc
    return [services.save_checkup(user, on, source, values, now, dependant=dependant)
            for on, source, values in cleaned]


def _unit(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
