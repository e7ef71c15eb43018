"""Consent-scoped sharing: an employee lets one provider organisation read some share
groups for a limited window; providers read only that, and every read by anyone other than
the owner is logged for the owner to see. Also the owner's export and profile deletion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from core.accounts.models import (
    ProviderOrganisation,
    ProviderStatus,
    Role,
    User,
)
from core.clock import to_zone, zone_of
from core.db import db
from core.policy import Action, can, require
from health import services
from health.errors import (
    ConsentAlreadyRevoked,
    ConsentNotFound,
    InvalidConsent,
    NoConsent,
)
from health.models import (
    AccessLogEntry,
    CheckUp,
    Consent,
    Dependant,
    HealthProfile,
    QuestionnaireKind,
    QuestionnaireResponse,
    Relation,
    Sex,
    Smoking,
)
from health.questionnaires import score
from health.readings import READINGS, bmi, shown_readings
from health.screening import (
    SUBJECTS,
    TITLES,
    NextStep,
    Observation,
    QuestionnaireOutcome,
    latest_readings,
    screen,
)
from health.signals import profile_deleting
from health.vocabulary import SHARE_READINGS, NeedTag, ShareField, minimum_fields

#: ``Session.info`` key: the access-log entries written in the current transaction, so that
#: a page refused after showing the data (4xx, rolled back) still records the read.
READS_KEY = "parkwell_health_reads"

#: After a booking ends, its provider may still read what was shared for this many days.
BOOKING_GRACE_DAYS = 7
MAX_SHARE_DAYS = 90


# -- consents ----------------------------------------------------------------------------


def shareable_providers(user: User) -> list[ProviderOrganisation]:
    """Verified providers of the parks the person works in."""
    services.require_owner(user)
    park_ids = {m.enterprise.park_id for m in user.active_memberships
                if m.role is Role.EMPLOYEE and m.enterprise is not None}
    if not park_ids:
        return []
    return list(db.session.scalars(
        select(ProviderOrganisation)
        .where(ProviderOrganisation.park_id.in_(park_ids),
               ProviderOrganisation.status == ProviderStatus.VERIFIED)
        .order_by(ProviderOrganisation.id)))


def _parse_fields(fields: Iterable[str]) -> frozenset[ShareField]:
    try:
        parsed = frozenset(ShareField(f) for f in fields)
    except ValueError as exc:
        raise InvalidConsent(fields={"fields": _("Choose one of the allowed values.")}) from exc
    if not parsed:
        raise InvalidConsent(fields={"fields": _("Choose at least one thing to share.")})
    return parsed


def grant_consent(user: User, *, provider_id: int, fields: Iterable[str],
                  valid_from: datetime, valid_until: datetime, now: datetime,
                  purpose: str | None = None) -> Consent:
    """Let a provider read ``fields`` from ``valid_from`` until ``valid_until``.
    Raises InvalidConsent (unknown provider, empty or too long window, unknown fields)."""
    services.require_owner(user)
    share = _parse_fields(fields)
    provider = next((p for p in shareable_providers(user) if p.id == provider_id), None)
    if provider is None:
        raise InvalidConsent(fields={"provider_id": _("Choose a provider from the list.")})
    if valid_until <= valid_from or valid_until <= now:
        raise InvalidConsent(fields={"days": _("The sharing must end in the future.")})
    if valid_until - max(valid_from, now) > timedelta(days=MAX_SHARE_DAYS + BOOKING_GRACE_DAYS):
        raise InvalidConsent(fields={"days": _("Share for at most %(days)s days.",
                                               days=MAX_SHARE_DAYS)})
    consent = Consent(user_id=user.id, provider_id=provider.id,
                      fields=" ".join(sorted(f.value for f in share)), purpose=purpose,
                      valid_from=valid_from, valid_until=valid_until, created_at=now)
    db.session.add(consent)
    db.session.flush()
    return consent


def share_for_days(user: User, *, provider_id: int, fields: Iterable[str], days: int,
                   now: datetime) -> Consent:
    """The employee's own "share with a provider" for the next ``days`` days."""
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise InvalidConsent(fields={"days": _("Share for at most %(days)s days.",
                                               days=MAX_SHARE_DAYS)})
    return grant_consent(user, provider_id=provider_id, fields=fields, valid_from=now,
                         valid_until=now + timedelta(days=days), now=now)


def consent_for_booking(user: User, *, provider_id: int, category: str,
                        booking_starts_at: datetime, booking_ends_at: datetime,
                        now: datetime, fields: Iterable[str] | None = None,
                        purpose: str | None = None) -> Consent | None:
    """What the booking engine calls when the employee books: share ``fields`` (by default
    the minimum the service's category needs) from now until the booking ends plus
    ``BOOKING_GRACE_DAYS``. Returns None when there is nothing to share."""
    chosen = frozenset(fields) if fields is not None else {
        f.value for f in minimum_fields(category)}
    if not chosen:
        return None
    return grant_consent(user, provider_id=provider_id, fields=chosen, valid_from=now,
                         valid_until=max(booking_ends_at, booking_starts_at, now)
                         + timedelta(days=BOOKING_GRACE_DAYS), now=now, purpose=purpose)


def list_consents(user: User) -> list[Consent]:
    services.require_owner(user)
    return list(db.session.scalars(select(Consent).where(Consent.user_id == user.id)
                                   .order_by(Consent.created_at.desc(), Consent.id.desc())))


def revoke_consent(user: User, *, consent_id: int, now: datetime) -> Consent:
    """End a consent at once. Raises ConsentNotFound, ConsentAlreadyRevoked."""
    services.require_owner(user)
    consent = db.session.get(Consent, consent_id)
    if consent is None or not can(user, Action.OWN_RECORD, consent):
        raise ConsentNotFound()
    if consent.revoked_at is not None:
        raise ConsentAlreadyRevoked()
    consent.revoked_at = now
    db.session.flush()
    return consent


# -- the provider's read -----------------------------------------------------------------


@dataclass
class SharedHealth:
    """What a provider may see of one client, now."""

    owner: User
    fields: frozenset[ShareField]
    until: datetime
    readings: dict[str, Observation] = field(default_factory=dict)
    questionnaires: dict[str, tuple[int, str, object]] = field(default_factory=dict)
    lifestyle: dict = field(default_factory=dict)


def _shown(key: str, value: float) -> float:
    return round(value, 1) if key == "bmi" else READINGS[key].shown(value)


def read_shared_health(*, accessor: User, provider: ProviderOrganisation, owner_id: int,
                       now: datetime, also: Iterable[str] = ()) -> SharedHealth:
    """Provider staff read what a client shares with their organisation now, and the read
    goes into the client's access log (with ``also``: what else the same page shows, e.g.
    a care team's ``CareRecord`` values, so that one visit is one entry). Raises NotFound
    (not the provider's staff, or no valid consent: the data does not exist for them),
    Forbidden."""
    require(accessor, Action.READ_SHARED_HEALTH, provider)
    consents = [c for c in db.session.scalars(
        select(Consent).where(Consent.user_id == owner_id, Consent.provider_id == provider.id))
        if c.is_active(now=now)]
    owner = db.session.get(User, owner_id)
    if not consents or owner is None:
        raise NoConsent()
    shared = frozenset().union(*(c.field_set for c in consents))
    view = SharedHealth(owner=owner, fields=shared, until=max(c.valid_until for c in consents))
    allowed = {key for group in shared for key in SHARE_READINGS.get(group, ())}
    latest = latest_readings(_checkups_of(owner_id))
    view.readings = {k: v for k, v in latest.items()
                     if k in allowed or (k == "bmi" and ShareField.BODY in shared)}
    # Exact for screening; rounded as people read them where shown.
    view.readings = {k: Observation(_shown(k, obs.value), obs.on)
                     for k, obs in view.readings.items()}
    kinds = set()
    if ShareField.MENTAL_HEALTH in shared:
        kinds |= {QuestionnaireKind.PHQ9.value, QuestionnaireKind.GAD7.value}
    if ShareField.SLEEP in shared:
        kinds.add(QuestionnaireKind.ISI.value)
    for row, result in _questionnaires_of(owner_id):
        if result.kind.value in kinds and result.kind.value not in view.questionnaires:
            view.questionnaires[result.kind.value] = (result.score, result.band.key,
                                                      row.answered_at)
    if ShareField.LIFESTYLE in shared:
        data = _profile_data_of(owner_id)
        view.lifestyle = {k: data.get(k) for k in
                          ("smoking", "activity_minutes_per_week", "sleep_hours")}
    record_read(owner_id=owner_id, accessor=accessor, provider_id=provider.id,
                items=[*(f.value for f in shared), *also], now=now,
                consent_id=max(consents, key=lambda c: c.valid_until).id)
    return view


def record_read(*, owner_id: int, accessor: User, provider_id: int | None,
                items: Iterable[str], now: datetime,
                consent_id: int | None = None) -> AccessLogEntry | None:
    """Put one read of the owner's health data by someone else into the owner's access log
    ("Who saw my data"). ``items``: ``ShareField`` or ``CareRecord`` values. The owner's own
    reads are not logged. Every path by which anyone other than the owner reads health
    values calls this (provider staff through ``read_shared_health``; family-physician teams
    through ``care``)."""
    if accessor.id == owner_id:
        return None
    wanted = sorted(set(items))
    if not wanted:
        return None
    entry = AccessLogEntry(user_id=owner_id, accessor_id=accessor.id, provider_id=provider_id,
                           consent_id=consent_id, fields=" ".join(wanted)[:200],
                           accessed_at=now)
    db.session.add(entry)
    db.session.flush()
    db.session.info.setdefault(READS_KEY, []).append(
        {"user_id": owner_id, "accessor_id": accessor.id, "provider_id": provider_id,
         "consent_id": consent_id, "fields": entry.fields, "accessed_at": now})
    return entry


def keep_reads_after_rollback() -> int:
    """Write again the access-log entries of a transaction that was rolled back (a page that
    showed the data and then answered 4xx). Returns how many; the caller commits."""
    pending = db.session.info.pop(READS_KEY, [])
    for values in pending:
        if values.get("consent_id") is not None and \
                db.session.get(Consent, values["consent_id"]) is None:
            values = values | {"consent_id": None}  # the consent itself was rolled back
        db.session.add(AccessLogEntry(**values))
    db.session.flush()
    return len(pending)


def forget_pending_reads() -> None:
    db.session.info.pop(READS_KEY, None)


def clients_sharing_with(*, accessor: User, provider: ProviderOrganisation,
                         now: datetime) -> list[tuple[User, Consent]]:
    """The people whose sharing with ``provider`` is open now (no health values; not
    logged). Raises NotFound, Forbidden."""
    require(accessor, Action.READ_SHARED_HEALTH, provider)
    rows = db.session.execute(
        select(User, Consent).join(Consent, Consent.user_id == User.id)
        .where(Consent.provider_id == provider.id, Consent.revoked_at.is_(None),
               Consent.valid_from <= now, Consent.valid_until > now)
        .order_by(User.display_name, Consent.id)).all()
    seen: dict[int, tuple[User, Consent]] = {}
    for user, consent in rows:
        seen.setdefault(user.id, (user, consent))
    return list(seen.values())


def _checkups_of(owner_id: int):
    """The owner's own check-ups: never a family member's kept in their record."""
    return [(c.measured_on, c.readings) for c in db.session.scalars(
        select(CheckUp).where(CheckUp.user_id == owner_id, CheckUp.dependant_id.is_(None)))]


def _questionnaires_of(owner_id: int):
    rows = db.session.scalars(select(QuestionnaireResponse)
                              .where(QuestionnaireResponse.user_id == owner_id)
                              .order_by(QuestionnaireResponse.answered_at.desc(),
                                        QuestionnaireResponse.id.desc()))
    return [(row, score(row.kind, row.answers)) for row in rows]


def _profile_data_of(owner_id: int) -> dict:
    profile = db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == owner_id))
    return dict(profile.data) if profile else {}


# -- the owner's access log, export and deletion -----------------------------------------


def access_log(user: User) -> list[AccessLogEntry]:
    services.require_owner(user)
    return list(db.session.scalars(select(AccessLogEntry)
                                   .where(AccessLogEntry.user_id == user.id)
                                   .order_by(AccessLogEntry.accessed_at.desc(),
                                             AccessLogEntry.id.desc())))


def export_everything(user: User, *, now: datetime) -> dict:
    """Everything ParkWell holds about the person's health, as plain JSON-able data."""
    services.require_owner(user)
    return export_health_of(user, now=now)


#: The readable export's words for the health section's keys (readings by their own labels).
EXPORT_LABELS = {
    **{key: spec.label for key, spec in READINGS.items()},
    "person": _l("Person"), "profile": _l("Lifestyle and goals"), "checkups": _l("Check-ups"),
    "measured_on": _l("Measured on"), "readings": _l("Results"), "bmi": _l("BMI"),
    "recorded_at": _l("Recorded"), "questionnaires": _l("Questionnaires"),
    "answers": _l("Answers"), "score": _l("Score"), "band": _l("Band"),
    "answered_at": _l("Answered"), "risk_flags": _l("Risk flags"), "code": _l("Flag"),
    "need": _l("Need"), "next_step": _l("Next step"), "subject": _l("About"),
    "observed_on": _l("Observed on"), "guideline": _l("Guideline"), "crisis": _l("Crisis"),
    "dependants": _l("Family members"), "birth_date": _l("Date of birth"),
    "relation": _l("Relation"), "needs": _l("Needs"), "sex": _l("Sex"),
    "dependant_checkups": _l("Family members' check-ups"),
    "dependant_id": _l("Family member no."), "consents": _l("Sharing"),
    "provider_id": _l("Provider no."), "fields": _l("What"), "purpose": _l("Purpose"),
    "valid_from": _l("From"), "valid_until": _l("Until"), "access_log": _l("Who saw my data"),
    "accessed_at": _l("When"), "accessor": _l("Who"), "birth_year": _l("Birth year"),
    "smoking": _l("Smoking"), "activity_minutes_per_week": _l("Activity minutes a week"),
    "sleep_hours": _l("Sleep hours"), "goals": _l("Goals"),
}


#: The readable export's words for the health section's coded values, by key.
EXPORT_VALUE_LABELS = {
    "code": TITLES, "subject": SUBJECTS, "need": NeedTag, "needs": NeedTag, "goals": NeedTag,
    "next_step": NextStep, "sex": Sex, "smoking": Smoking, "relation": Relation,
    "fields": ShareField, "kind": {"phq9": "PHQ-9", "gad7": "GAD-7", "isi": "ISI"},
}


def _checkup_out(c) -> dict:
    return {"id": c.id, "measured_on": c.measured_on.isoformat(), "source": c.source,
            "readings": shown_readings(c.readings),
            "bmi": bmi(c.readings.get("weight"), c.readings.get("height")),
            "recorded_at": c.created_at.isoformat()}


def export_health_of(user: User, *, now: datetime) -> dict:
    """The health export without the role check: also for someone who has left their
    employer (the account export and deletion reach every row the person owns)."""
    mine = user.id
    checkups = list(db.session.scalars(services.checkups_of(mine)))
    answered = _questionnaires_of(mine)
    dependants = list(db.session.scalars(select(Dependant).where(Dependant.user_id == mine)
                                         .order_by(Dependant.id)))
    family_checkups = list(db.session.scalars(
        select(CheckUp).where(CheckUp.user_id == mine, CheckUp.dependant_id.is_not(None))
        .order_by(CheckUp.dependant_id, CheckUp.measured_on.desc(), CheckUp.id.desc())))
    zone = zone_of()
    screening = screen(checkups=[(c.measured_on, c.readings) for c in checkups],
                       questionnaires=[QuestionnaireOutcome(result,
                                                            to_zone(row.answered_at, zone).date())
                                       for row, result in reversed(answered)],
                       profile=_profile_data_of(mine))
    consents = list(db.session.scalars(select(Consent).where(Consent.user_id == mine)
                                       .order_by(Consent.created_at.desc(), Consent.id.desc())))
    log = list(db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.user_id == mine)
                                  .order_by(AccessLogEntry.accessed_at.desc(),
                                            AccessLogEntry.id.desc())))
    profile = db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == mine))
    return {
        "exported_at": now.isoformat(),
        "person": {"id": user.id, "display_name": user.display_name, "email": user.email,
                   "mobile": user.mobile},
        "profile": dict(profile.data) if profile else None,
        "checkups": [_checkup_out(c) for c in checkups],
        "questionnaires": [{"id": row.id, "kind": row.kind.value, "answers": row.answers,
                            "score": result.score, "band": result.band.key,
                            "answered_at": row.answered_at.isoformat()}
                           for row, result in answered],
        "risk_flags": [{"code": f.code, "need": f.need.value, "next_step": f.next_step.value,
                        "subject": f.subject, "value": f.value,
                        "observed_on": f.observed_on and f.observed_on.isoformat(),
                        "guideline": f.guideline} for f in screening.flags],
        "crisis": screening.crisis,
        "dependants": [{"id": d.id, **d.data} for d in dependants],
        "dependant_checkups": [{**_checkup_out(c), "dependant_id": c.dependant_id}
                               for c in family_checkups],
        "consents": [{"id": c.id, "provider_id": c.provider_id,
                      "provider": c.provider.name_en, "provider_zh": c.provider.name_zh,
                      "fields": sorted(c.fields.split()),
                      "purpose": c.purpose, "valid_from": c.valid_from.isoformat(),
                      "valid_until": c.valid_until.isoformat(),
                      "revoked_at": c.revoked_at and c.revoked_at.isoformat()}
                     for c in consents],
        "access_log": [{"accessed_at": e.accessed_at.isoformat(),
                        "accessor": e.accessor.display_name, "provider_id": e.provider_id,
                        "fields": sorted(e.fields.split())} for e in log],
    }


def delete_profile(user: User, *, now: datetime) -> None:
    """Delete every health record of the person: profile, check-ups, questionnaires,
    dependants, consents (so providers lose access at once) and the access log. Packages
    that point at a family member let go of what is over (an attended booking, a past
    event) when told (``profile_deleting``). Raises StillReferenced when something still
    under way points at a family member (an upcoming booking); nothing is deleted then,
    whoever the caller: it all runs in a savepoint."""
    services.require_owner(user)
    erase_health_of(user, now=now)


def erase_health_of(user: User, *, now: datetime) -> None:
    """``delete_profile`` without the role check (account deletion). Raises
    StillReferenced, having written nothing."""
    with db.session.begin_nested():
        profile_deleting.send(user, now=now)
        services.delete_all_records(user)  # first: it refuses while a booking points at a row
        db.session.execute(delete(AccessLogEntry).where(AccessLogEntry.user_id == user.id))
        db.session.execute(delete(Consent).where(Consent.user_id == user.id))
    db.session.flush()
