"""Care plans and follow-up under an agreement: goals, home measurements (refused when
physiologically impossible, with health's own units and ranges), alerts to the team when
a reading leaves the plan's thresholds, follow-ups (随访) and asynchronous messages.

Everything written here needs the agreement to be in force: after it ended nothing can be
added, by anyone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select

from care.agreements import is_team_member, practitioner_of, record_team_read
from care.errors import (
    AgreementNotFound,
    AgreementNotInForce,
    AlreadyAcknowledged,
    FollowUpNotOpen,
    ImpossibleMeasurement,
    InvalidCareInput,
    NoCareAccess,
)
from care.models import (
    CareAgreement,
    CareAlert,
    CareMessage,
    CarePlan,
    FollowUp,
    FollowUpMode,
    HomeMeasurement,
    MeasurementKind,
)
from core.accounts.models import User
from core.db import db
from core.i18n import format_when
from core.mail import send_mail
from core.policy import Action, can
from health.errors import InvalidReading
from health.readings import normalise_readings
from health.vocabulary import CareRecord

MAX_MESSAGE_CHARS = 2000
MAX_ACTIVITY_MINUTES = 7 * 24 * 60
MAX_GOALS = 8

#: How each kind of goal reads: the plan's target is met "below" (BP, weight, glucose) or
#: "at least" (activity).
GOAL_DIRECTION = {MeasurementKind.BLOOD_PRESSURE: "below", MeasurementKind.WEIGHT: "below",
                  MeasurementKind.GLUCOSE: "below", MeasurementKind.ACTIVITY: "at_least"}
UNITS = {MeasurementKind.BLOOD_PRESSURE: "mmHg", MeasurementKind.WEIGHT: "kg",
         MeasurementKind.GLUCOSE: "mmol/L", MeasurementKind.ACTIVITY: "min"}


def unit_label(kind: MeasurementKind) -> str:
    """The unit as the reader writes it: symbols stay, minutes are a word (分钟)."""
    return _("min") if kind is MeasurementKind.ACTIVITY else UNITS[kind]


def _require_in_force(agreement: CareAgreement, now: datetime) -> None:
    if not agreement.is_in_force(now=now):
        raise AgreementNotInForce()


def _require_team(agreement: CareAgreement, actor: User, now: datetime) -> None:
    if not is_team_member(actor, agreement):
        raise AgreementNotFound()
    if not agreement.is_in_force(now=now):
        raise NoCareAccess()


def _require_client(agreement: CareAgreement, actor: User) -> None:
    if not can(actor, Action.OWN_RECORD, agreement):
        raise AgreementNotFound()


# -- measurements ----------------------------------------------------------------------------


def normalise_measurement(kind: str, values: Mapping[str, object],
                          unit: str | None = None) -> tuple[MeasurementKind, dict]:
    """Validate one home measurement and give it in canonical units, through health's
    reading specs (mmHg or kPa; kg; mmol/L or mg/dL). Raises ImpossibleMeasurement naming
    the field, or InvalidCareInput for an unknown kind."""
    try:
        parsed = MeasurementKind(kind)
    except ValueError as exc:
        raise InvalidCareInput(fields={"kind": _("Choose one of the allowed values.")}) from exc
    try:
        if parsed is MeasurementKind.BLOOD_PRESSURE:
            for key in ("systolic", "diastolic"):
                if values.get(key) in (None, ""):
                    raise ImpossibleMeasurement(fields={key: _("Enter both blood pressure "
                                                               "values.")})
            found = normalise_readings({"systolic": (values.get("systolic"), unit),
                                        "diastolic": (values.get("diastolic"), unit)})
            return parsed, {"systolic": found["systolic"], "diastolic": found["diastolic"]}
        if parsed is MeasurementKind.ACTIVITY:
            return parsed, {"value": _activity(values.get("value"))}
        key = "weight" if parsed is MeasurementKind.WEIGHT else "fasting_glucose"
        if values.get("value") in (None, ""):
            raise ImpossibleMeasurement(fields={"value": _("Enter a number.")})
        found = normalise_readings({key: (values.get("value"), unit)})
        return parsed, {"value": found[key]}
    except InvalidReading as exc:
        fields = {("value" if k in ("weight", "fasting_glucose") else k): v
                  for k, v in exc.fields.items()}
        raise ImpossibleMeasurement(fields=fields) from exc


def _activity(raw: object) -> int:
    try:
        value = float(str(raw).strip())
    except (TypeError, ValueError) as exc:
        raise ImpossibleMeasurement(fields={"value": _("Enter a whole number of minutes.")}) \
            from exc
    if not value.is_integer():
        raise ImpossibleMeasurement(fields={"value": _("Enter a whole number of minutes.")})
    minutes = int(value)
    if not 0 <= minutes <= MAX_ACTIVITY_MINUTES:
        raise ImpossibleMeasurement(fields={"value": _(
            "A week has at most %(max)s minutes.", max=MAX_ACTIVITY_MINUTES)})
    return minutes


def log_measurement(agreement: CareAgreement, *, actor: User, kind: str,
                    values: Mapping[str, object], unit: str | None = None,
                    measured_at: datetime | None = None, now: datetime) -> HomeMeasurement:
    """The employee records a home measurement. A reading outside the plan's thresholds
    alerts the team (in-app now, by mail after the commit). Raises AgreementNotFound,
    AgreementNotInForce, ImpossibleMeasurement, InvalidCareInput."""
    _require_client(agreement, actor)
    _require_in_force(agreement, now)
    parsed, data = normalise_measurement(kind, values, unit)
    when = measured_at or now
    if when > now + timedelta(minutes=5) or when < agreement.starts_at:
        raise InvalidCareInput(fields={"measured_at": _(
            "Enter a time during the agreement, not in the future.")})
    row = HomeMeasurement(agreement_id=agreement.id, user_id=actor.id, kind=parsed,
                          measured_at=when, data=data, created_at=now)
    db.session.add(row)
    db.session.flush()
    plan = plan_of(agreement)
    if plan is not None and outside_thresholds(plan.goals, parsed, data):
        _alert(agreement, row, now=now)
    return row


def outside_thresholds(goals: list[dict], kind: MeasurementKind, data: dict) -> bool:
    """Whether a reading crosses an alert threshold of the plan: at or above
    ``alert_above`` (for BP: either value), or at or below ``alert_below``."""
    for goal in goals:
        if goal.get("kind") != kind.value:
            continue
        above, below = goal.get("alert_above"), goal.get("alert_below")
        if kind is MeasurementKind.BLOOD_PRESSURE:
            if above and (data["systolic"] >= above[0] or data["diastolic"] >= above[1]):
                return True
            if below and (data["systolic"] <= below[0] or data["diastolic"] <= below[1]):
                return True
        else:
            if above is not None and data["value"] >= above:
                return True
            if below is not None and data["value"] <= below:
                return True
    return False


def _alert(agreement: CareAgreement, row: HomeMeasurement, *, now: datetime) -> None:
    db.session.add(CareAlert(agreement_id=agreement.id, measurement_id=row.id, kind=row.kind,
                             created_at=now))
    client = agreement.user.display_name
    for member in agreement.team.members:
        user = member.user
        if user is None or not user.email or not user.is_active:
            continue
        with force_locale(user.locale or agreement.provider.park.default_locale):
            # No values in the mail: the physician reads them signed in.
            send_mail(to=user.email,
                      subject=_("Care alert: a reading of %(name)s", name=client),
                      body=_("%(name)s logged a home measurement (%(kind)s) outside the "
                             "thresholds of their care plan. Open ParkWell to see it.",
                             name=client, kind=row.kind.label))


def measurements_of(agreement: CareAgreement) -> list[HomeMeasurement]:
    return list(db.session.scalars(select(HomeMeasurement).where(
        HomeMeasurement.agreement_id == agreement.id)
        .order_by(HomeMeasurement.measured_at.desc(), HomeMeasurement.id.desc())))


def open_alerts(agreement_ids: list[int]) -> list[CareAlert]:
    if not agreement_ids:
        return []
    return list(db.session.scalars(select(CareAlert).where(
        CareAlert.agreement_id.in_(agreement_ids), CareAlert.acknowledged_at.is_(None))
        .order_by(CareAlert.created_at.desc(), CareAlert.id.desc())))


def acknowledge_alert(alert_id: int, *, actor: User, now: datetime) -> CareAlert:
    """A team member has looked at the alert. Raises AgreementNotFound, NoCareAccess,
    AlreadyAcknowledged."""
    alert = db.session.get(CareAlert, alert_id)
    if alert is None:
        raise AgreementNotFound()
    _require_team(alert.agreement, actor, now)
    if alert.acknowledged_at is not None:
        raise AlreadyAcknowledged()
    alert.acknowledged_at, alert.acknowledged_by_id = now, actor.id
    db.session.flush()
    return alert


# -- the plan ----------------------------------------------------------------------------


def plan_of(agreement: CareAgreement) -> CarePlan | None:
    return db.session.scalar(select(CarePlan).where(CarePlan.agreement_id == agreement.id))


def _number(raw: object, field: str, errors: dict[str, str]) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        errors[field] = _("Enter a number.")
        return None
    return value


def _check_goal(index: int, goal: Mapping[str, object], *, today: date,
                errors: dict[str, str]) -> dict | None:
    prefix = f"goals.{index}"
    try:
        kind = MeasurementKind(str(goal.get("kind")))
    except ValueError:
        errors[f"{prefix}.kind"] = _("Choose one of the allowed values.")
        return None
    due = goal.get("due_on")
    if isinstance(due, str):
        try:
            due = date.fromisoformat(due)
        except ValueError:
            due = None
    if not isinstance(due, date) or not today < due <= today + timedelta(days=366):
        errors[f"{prefix}.due_on"] = _("Choose a date within the next year.")
    result: dict = {"kind": kind.value, "due_on": due.isoformat() if isinstance(due, date)
                    else None, "direction": GOAL_DIRECTION[kind]}
    if kind is MeasurementKind.BLOOD_PRESSURE:
        for name in ("target", "alert_above"):
            pair = goal.get(name)
            if pair in (None, "", []) and name == "alert_above":
                result[name] = None
                continue
            try:
                _k, found = normalise_measurement(kind.value, {
                    "systolic": pair[0], "diastolic": pair[1]})  # type: ignore[index]
                result[name] = [found["systolic"], found["diastolic"]]
            except (ImpossibleMeasurement, TypeError, IndexError, KeyError):
                errors[f"{prefix}.{name}"] = _("Enter a possible blood pressure, e.g. "
                                               "135/85.")
        if result.get("target") and result.get("alert_above") and (
                result["alert_above"][0] <= result["target"][0]
                or result["alert_above"][1] <= result["target"][1]):
            errors[f"{prefix}.alert_above"] = _("The alert threshold must be above the "
                                                "goal.")
        result["alert_below"] = None
        return result
    for name in ("target", "alert_above", "alert_below"):
        value = _number(goal.get(name), f"{prefix}.{name}", errors)
        if value is None:
            if name == "target" and f"{prefix}.target" not in errors:
                errors[f"{prefix}.target"] = _("Enter a number.")
            result[name] = None
            continue
        try:
            _k, found = normalise_measurement(kind.value, {"value": value})
            result[name] = found["value"]
        except ImpossibleMeasurement as exc:
            errors[f"{prefix}.{name}"] = next(iter(exc.fields.values()))
    if kind is MeasurementKind.ACTIVITY:
        result["alert_above"] = result["alert_below"] = None
    return result


def set_plan(agreement: CareAgreement, *, actor: User, goals: list[Mapping[str, object]],
             notes: str = "", now: datetime, today: date) -> CarePlan:
    """The physician sets (or replaces) the plan's goals. Raises AgreementNotFound,
    NoCareAccess, InvalidCareInput (each goal's field named, nothing saved)."""
    _require_team(agreement, actor, now)
    errors: dict[str, str] = {}
    if not goals or len(goals) > MAX_GOALS:
        errors["goals"] = _("Set between 1 and %(max)s goals.", max=MAX_GOALS)
    checked = [_check_goal(i, g, today=today, errors=errors) for i, g in enumerate(goals or [])]
    if len(notes or "") > MAX_MESSAGE_CHARS:
        errors["notes"] = _("At most %(max)s characters.", max=MAX_MESSAGE_CHARS)
    if errors:
        raise InvalidCareInput(fields=errors)
    data = {"goals": [g for g in checked if g], "notes": (notes or "").strip()}
    plan = plan_of(agreement)
    if plan is None:
        plan = CarePlan(agreement_id=agreement.id, data=data, updated_by_id=actor.id,
                        created_at=now, updated_at=now)
        db.session.add(plan)
    else:
        plan.data, plan.updated_by_id, plan.updated_at = data, actor.id, now
    db.session.flush()
    return plan


@dataclass(frozen=True)
class GoalProgress:
    goal: dict
    kind: MeasurementKind
    latest: HomeMeasurement | None
    met: bool | None  #: None: nothing measured yet


def meets(goal: dict, data: dict) -> bool:
    kind = MeasurementKind(goal["kind"])
    target = goal.get("target")
    if target is None:
        return False
    if kind is MeasurementKind.BLOOD_PRESSURE:
        return data["systolic"] < target[0] and data["diastolic"] < target[1]
    if kind is MeasurementKind.ACTIVITY:
        return data["value"] >= target
    return data["value"] < target


def progress(plan: CarePlan | None, rows: list[HomeMeasurement]) -> list[GoalProgress]:
    """Each goal against the latest reading of its kind."""
    if plan is None:
        return []
    out = []
    for goal in plan.goals:
        kind = MeasurementKind(goal["kind"])
        latest = next((r for r in rows if r.kind is kind), None)
        out.append(GoalProgress(goal=goal, kind=kind, latest=latest,
                                met=None if latest is None else meets(goal, latest.data)))
    return out


# -- follow-ups and messages -------------------------------------------------------------


def _check_time(agreement: CareAgreement, starts_at: datetime | None,
                duration_minutes: object, *, now: datetime, errors: dict[str, str]) -> None:
    """A follow-up lasts 5 to 240 minutes, in the future, and ends within the agreement."""
    if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 240:
        errors["duration_minutes"] = _("Between 5 and 240 minutes.")
        duration_minutes = 0
    if starts_at is None or starts_at <= now or \
            starts_at + timedelta(minutes=duration_minutes) > agreement.effective_end:
        errors["starts_at"] = _("Choose a time in the future, before the agreement ends.")


def schedule_follow_up(agreement: CareAgreement, *, actor: User, starts_at: datetime,
                       duration_minutes: int, mode: str, note: str = "",
                       now: datetime) -> FollowUp:
    """The physician schedules a follow-up inside the agreement's period. It appears on the
    employee's calendar feed and on the practitioner's and provider's feeds."""
    _require_team(agreement, actor, now)
    errors: dict[str, str] = {}
    if mode not in {m.value for m in FollowUpMode}:
        errors["mode"] = _("Choose one of the allowed values.")
    _check_time(agreement, starts_at, duration_minutes, now=now, errors=errors)
    if len(note or "") > 300:
        errors["note"] = _("At most %(max)s characters.", max=300)
    if errors:
        raise InvalidCareInput(fields=errors)
    follow_up = FollowUp(agreement_id=agreement.id,
                         practitioner_id=practitioner_of(actor, agreement).id,
                         mode=FollowUpMode(mode), starts_at=starts_at,
                         duration_minutes=duration_minutes, note=(note or "").strip(),
                         sequence=0, created_by_id=actor.id, created_at=now, updated_at=now)
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


def _open_follow_up(follow_up_id: int, *, actor: User, now: datetime) -> FollowUp:
    """A follow-up of the actor's team, locked, that has neither started nor been
    cancelled. Raises AgreementNotFound, NoCareAccess, FollowUpNotOpen."""
    follow_up = db.session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise AgreementNotFound()
    _require_team(follow_up.agreement, actor, now)
    # Two team members moving or cancelling it at once: one after the other.
    db.session.refresh(follow_up, with_for_update=True)
    if follow_up.cancelled_at is not None or follow_up.starts_at <= now:
        raise FollowUpNotOpen()
    return follow_up


def cancel_follow_up(follow_up_id: int, *, actor: User, now: datetime) -> FollowUp:
    """The team calls a follow-up off: it stays on the calendars as cancelled (SEQUENCE
    raised), so that calendar apps remove it, and the employee is told by mail. Raises
    AgreementNotFound, NoCareAccess, FollowUpNotOpen."""
    follow_up = _open_follow_up(follow_up_id, actor=actor, now=now)
    follow_up.cancelled_at, follow_up.updated_at = now, now
    follow_up.sequence += 1
    db.session.flush()
    _tell_client(follow_up, moved=False)
    return follow_up


def move_follow_up(follow_up_id: int, *, actor: User, starts_at: datetime,
                   duration_minutes: int | None = None, now: datetime) -> FollowUp:
    """The team moves a follow-up to another time within the agreement (and optionally
    changes its length): both calendars show the new time (same UID, SEQUENCE raised) and
    the employee is told by mail. Raises AgreementNotFound, NoCareAccess, FollowUpNotOpen,
    InvalidCareInput (the field named, nothing changed)."""
    follow_up = _open_follow_up(follow_up_id, actor=actor, now=now)
    duration = follow_up.duration_minutes if duration_minutes is None else duration_minutes
    errors: dict[str, str] = {}
    _check_time(follow_up.agreement, starts_at, duration, now=now, errors=errors)
    if errors:
        raise InvalidCareInput(fields=errors)
    if (starts_at, duration) == (follow_up.starts_at, follow_up.duration_minutes):
        return follow_up  # nothing to move
    follow_up.starts_at, follow_up.duration_minutes = starts_at, duration
    follow_up.updated_at = now
    follow_up.sequence += 1
    db.session.flush()
    _tell_client(follow_up, moved=True)
    return follow_up


def _tell_client(follow_up: FollowUp, *, moved: bool) -> None:
    """Mail the employee (after the commit, in their language) that a follow-up moved or
    was called off. Times only: no health values."""
    agreement = follow_up.agreement
    user = agreement.user
    if not user.email:
        return
    locale = user.locale or agreement.provider.park.default_locale
    with force_locale(locale):
        team = agreement.team.name(locale)
        when = format_when(follow_up.starts_at, zone=agreement.provider.park.timezone)
        if moved:
            subject = _("Your follow-up has moved")
            body = _("Your follow-up with %(team)s (%(mode)s) is now on %(when)s. Your "
                     "calendar feed shows the new time.", team=team,
                     mode=follow_up.mode.label, when=when)
        else:
            subject = _("Your follow-up is cancelled")
            body = _("Your follow-up with %(team)s (%(mode)s) on %(when)s is cancelled. Your "
                     "calendar feed shows it as cancelled.", team=team,
                     mode=follow_up.mode.label, when=when)
        send_mail(to=user.email, subject=str(subject), body=str(body))


def follow_ups_of(agreement: CareAgreement) -> list[FollowUp]:
    return list(db.session.scalars(select(FollowUp).where(FollowUp.agreement_id == agreement.id)
                                   .order_by(FollowUp.starts_at)))


def post_message(agreement: CareAgreement, *, actor: User, body: str,
                 now: datetime) -> CareMessage:
    """The employee or a team member writes. Refused once the agreement has ended:
    AgreementNotInForce (the employee) or NoCareAccess (the team)."""
    if can(actor, Action.OWN_RECORD, agreement):
        _require_in_force(agreement, now)
    else:
        _require_team(agreement, actor, now)
    text = (body or "").strip()
    if not text or len(text) > MAX_MESSAGE_CHARS:
        raise InvalidCareInput(fields={"body": _("Write between 1 and %(max)s characters.",
                                                 max=MAX_MESSAGE_CHARS)})
    message = CareMessage(agreement_id=agreement.id, sender_id=actor.id, data={"body": text},
                          created_at=now)
    db.session.add(message)
    db.session.flush()
    return message


def messages_of(agreement: CareAgreement) -> list[CareMessage]:
    return list(db.session.scalars(select(CareMessage).where(
        CareMessage.agreement_id == agreement.id)
        .order_by(CareMessage.created_at, CareMessage.id)))


def records_shown(*, plan: CarePlan | None, measurements: list[HomeMeasurement],
                  messages: list[CareMessage], alerts: list[CareAlert]) -> list[str]:
    """The ``CareRecord`` values a page or answer shows (only what holds something)."""
    shown = [(CareRecord.PLAN, plan is not None), (CareRecord.MEASUREMENTS, measurements),
             (CareRecord.MESSAGES, messages), (CareRecord.ALERTS, alerts)]
    return [record.value for record, present in shown if present]


def record_alerts_read(agreements: list[CareAgreement], alerts: list[CareAlert], *,
                       actor: User, now: datetime) -> None:
    """The team's list of open alerts: one access-log entry for each employee it shows an
    alert of."""
    with_alerts = {a.agreement_id for a in alerts}
    for agreement in agreements:
        if agreement.id in with_alerts:
            record_team_read(agreement, actor=actor, items=[CareRecord.ALERTS.value], now=now)


def forget_health_data(user: User) -> None:
    """The employee deleted their health profile: their plans, measurements, alerts and
    messages go with it (the agreements stay, as contracts, with no health values)."""
    ids = select(CareAgreement.id).where(CareAgreement.user_id == user.id)
    db.session.execute(delete(CareAlert).where(CareAlert.agreement_id.in_(ids)))
    db.session.execute(delete(HomeMeasurement).where(HomeMeasurement.agreement_id.in_(ids)))
    db.session.execute(delete(CareMessage).where(CareMessage.agreement_id.in_(ids)))
    db.session.execute(delete(CarePlan).where(CarePlan.agreement_id.in_(ids)))
    db.session.flush()
