"""Check-up readings: what we record, in which canonical unit, which lab units we accept
and how they convert, and which values are physiologically possible.

Conversions: glucose 1 mmol/L = 18.0 mg/dL; cholesterol (total, LDL, HDL) 1 mmol/L =
38.67 mg/dL; triglycerides 1 mmol/L = 88.57 mg/dL; uric acid 1 mg/dL = 59.48 µmol/L;
HbA1c % = mmol/mol ÷ 10.929 + 2.15 (the IFCC–NGSP master equation); 1 kPa = 7.50 mmHg.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from health.errors import InvalidReading


def _identity(value: float) -> float:
    return value


@dataclass(frozen=True)
class ReadingSpec:
    key: str
    label: object  #: a lazy string
    unit: str  #: the canonical unit we store
    low: float  #: the lowest possible value, in the canonical unit
    high: float  #: the highest possible value
    decimals: int
    #: accepted unit → function converting a value in that unit to the canonical unit
    units: Mapping[str, Callable[[float], float]] = field(default_factory=dict)

    def to_canonical(self, value: float, unit: str) -> float:
        """The value in the canonical unit, unrounded: 125.95 mg/dL of glucose is 6.997
        mmol/L, below the 7.0 cut-off, and must not become 7.00 before it is compared.
        Ten decimals only clear binary noise. ``shown`` rounds for people."""
        return round(self.units[unit](value), 10)

    def shown(self, value: float) -> float:
        """The value as people read it: the lab's usual precision (mmHg whole, mmol/L to
        two decimals). Never compare this with a cut-off."""
        return round(value, self.decimals)


def _per(factor: float) -> Callable[[float], float]:
    return lambda value: value / factor


def _times(factor: float) -> Callable[[float], float]:
    return lambda value: value * factor


def _hba1c_from_ifcc(value: float) -> float:
    return value / 10.929 + 2.15


MMOL = "mmol/L"
MGDL = "mg/dL"
UMOL = "µmol/L"

READINGS: dict[str, ReadingSpec] = {spec.key: spec for spec in (
    ReadingSpec("systolic", _l("Systolic blood pressure"), "mmHg", 60, 260, 0,
                {"mmHg": _identity, "kPa": _times(7.50062)}),
    ReadingSpec("diastolic", _l("Diastolic blood pressure"), "mmHg", 30, 160, 0,
                {"mmHg": _identity, "kPa": _times(7.50062)}),
    ReadingSpec("fasting_glucose", _l("Fasting glucose"), MMOL, 1.0, 40.0, 2,
                {MMOL: _identity, MGDL: _per(18.0)}),
    ReadingSpec("hba1c", _l("HbA1c"), "%", 3.0, 20.0, 1,
                {"%": _identity, "mmol/mol": _hba1c_from_ifcc}),
    ReadingSpec("total_cholesterol", _l("Total cholesterol"), MMOL, 1.0, 20.0, 2,
                {MMOL: _identity, MGDL: _per(38.67)}),
    ReadingSpec("ldl", _l("LDL cholesterol"), MMOL, 0.1, 15.0, 2,
                {MMOL: _identity, MGDL: _per(38.67)}),
    ReadingSpec("hdl", _l("HDL cholesterol"), MMOL, 0.1, 5.0, 2,
                {MMOL: _identity, MGDL: _per(38.67)}),
    ReadingSpec("triglycerides", _l("Triglycerides"), MMOL, 0.1, 50.0, 2,
                {MMOL: _identity, MGDL: _per(88.57)}),
    ReadingSpec("height", _l("Height"), "cm", 50, 250, 1, {"cm": _identity, "m": _times(100)}),
    ReadingSpec("weight", _l("Weight"), "kg", 2, 350, 1, {"kg": _identity}),
    ReadingSpec("waist", _l("Waist"), "cm", 30, 250, 1, {"cm": _identity}),
    ReadingSpec("uric_acid", _l("Uric acid"), UMOL, 30, 1500, 0,
                {UMOL: _identity, "umol/L": _identity, MGDL: _times(59.48)}),
)}

#: Readings whose unit the lab chooses; the others are always in their canonical unit.
UNIT_CHOICES = {key: [u for u in spec.units if u != "umol/L"]
                for key, spec in READINGS.items() if len(spec.units) > 1}


def _parse_number(raw: object) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    value = float(raw.strip() if isinstance(raw, str) else raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def normalise_readings(raw: Mapping[str, tuple[object, str | None]]) -> dict[str, float]:
    """Validate readings given as ``key → (value, unit)`` and convert them to canonical
    units. Empty values are left out. Raises InvalidReading with a message per field."""
    errors: dict[str, str] = {}
    result: dict[str, float] = {}
    for key, (raw_value, unit) in raw.items():
        spec = READINGS.get(key)
        if spec is None:
            errors[key] = _("This is not a reading we record.")
            continue
        try:
            value = _parse_number(raw_value)
        except (TypeError, ValueError):
            errors[key] = _("Enter a number.")
            continue
        if value is None:
            continue
        unit = (unit or spec.unit).strip() or spec.unit
        if unit not in spec.units:
            errors[key] = _("Unknown unit %(unit)s. Use one of: %(units)s.", unit=unit,
                            units=", ".join(UNIT_CHOICES.get(key, [spec.unit])))
            continue
        canonical = spec.to_canonical(value, unit)
        if spec.low <= canonical <= spec.high:
            result[key] = canonical
            continue
        errors[key] = _mix_up_message(spec, value, unit) or _(
            "%(value)s %(unit)s is not a possible value for %(reading)s (expected "
            "%(low)s–%(high)s %(canonical)s).", value=_fmt(value), unit=unit,
            reading=spec.label, low=_fmt(spec.low), high=_fmt(spec.high),
            canonical=spec.unit)
    systolic, diastolic = result.get("systolic"), result.get("diastolic")
    if (systolic is None) != (diastolic is None) and not {"systolic", "diastolic"} & set(errors):
        missing = "diastolic" if diastolic is None else "systolic"
        errors[missing] = _("Enter both blood pressure values.")
    elif systolic is not None and diastolic is not None and systolic <= diastolic:
        errors["diastolic"] = _("The lower (diastolic) value must be below the upper "
                                "(systolic) value.")
    if errors:
        raise InvalidReading(fields=errors)
    return result


def _mix_up_message(spec: ReadingSpec, value: float, unit: str) -> str | None:
    """When the value is impossible in the unit given but plausible in another one, the unit
    was most likely mixed up: say so."""
    for other in spec.units:
        if other in (unit, "umol/L"):
            continue
        if spec.low <= spec.to_canonical(value, other) <= spec.high:
            return _("%(value)s is not possible in %(unit)s. Is it in %(other)s?",
                     value=_fmt(value), unit=unit, other=other)
    return None


def format_reading(value: float, key: str) -> str:
    """A reading for a page, in the reader's locale, at the lab's usual precision (the
    ``reading`` template filter): ``{{ value|reading('fasting_glucose') }}`` → 6.99."""
    from flask_babel import format_decimal

    decimals = READINGS[key].decimals if key in READINGS else 1
    return format_decimal(round(value, decimals),
                          format="#,##0" + ("." + "#" * decimals if decimals else ""))


def shown_readings(readings: Mapping[str, float]) -> dict[str, float]:
    """Stored (exact) readings rounded as people read them, for pages, the API and exports."""
    return {key: READINGS[key].shown(value) if key in READINGS else value
            for key, value in readings.items()}


def _fmt(value: float) -> str:
    return f"{value:g}"


def exact_bmi(weight_kg: float | None, height_cm: float | None) -> float | None:
    """The body mass index unrounded: what a cut-off is compared with."""
    if not weight_kg or not height_cm:
        return None
    # 12 decimals only clear binary noise (69.36 kg at 170 cm is 24, not 23.999...96).
    return round(weight_kg / (height_cm / 100) ** 2, 12)


def bmi(weight_kg: float | None, height_cm: float | None) -> float | None:
    """The body mass index to show (one decimal). Never compare this with a cut-off: 23.96
    shows as 24.0 but is not overweight (``exact_bmi``)."""
    value = exact_bmi(weight_kg, height_cm)
    return None if value is None else round(value, 1)
