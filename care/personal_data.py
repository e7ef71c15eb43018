"""Family physicians' share of a person's export and account deletion (``core.accounts.
personal_data``): their agreements with the plan, home measurements, alerts, follow-ups and
messages under each. On deletion the health records under the agreements go (as when the
health profile is deleted) and the agreements stay as contracts with no health values (the
provider's and the sponsor's payments point at them). An agreement still in force (or
awaiting payment) must be ended first: ending it refunds the unused days."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select, update

from care import plans
from care.models import AgreementStatus, CareAgreement, MeasurementKind
from core.accounts.models import User
from core.accounts.personal_data import (
    Section,
    register_field_labels,
    register_section,
    register_value_labels,
)
from core.db import db
from health.vocabulary import ShareField

#: The readable export's words for this section's keys.
LABELS = {
    "team": _l("Team"), "team_zh": _l("Team (Chinese)"), "accepted_at": _l("Signed"),
    "terms_version": _l("Terms version"), "shared": _l("Shared with the team"),
    "family_member_ids": _l("Family members covered (no.)"), "sponsored": _l("Sponsored"),
    "plan": _l("Care plan"), "goals": _l("Goals"), "measurements": _l("Home measurements"),
    "measured_at": _l("Measured"), "follow_ups": _l("Follow-ups"), "mode": _l("Mode"),
    "minutes": _l("Minutes"), "note": _l("Note"), "messages": _l("Messages"),
    "from": _l("Sender"), "body": _l("Message"), "target": _l("Target"),
    "due_on": _l("By"), "direction": _l("Direction"), "alert_above": _l("Alert at or above"),
    "alert_below": _l("Alert at or below"), "cancelled_at": _l("Cancelled"),
}

def _agreements(user: User) -> list[CareAgreement]:
    return list(db.session.scalars(select(CareAgreement).where(CareAgreement.user_id == user.id)
                                   .order_by(CareAgreement.starts_at, CareAgreement.id)))


def export_care(user: User, _now: datetime) -> list[dict]:
    out = []
    for a in _agreements(user):
        plan = plans.plan_of(a)
        out.append({
            "team": a.team.name_en, "team_zh": a.team.name_zh, "provider": a.provider.name_en,
            "provider_zh": a.provider.name_zh,
            "status": a.status.value, "starts_on": a.starts_on.isoformat(),
            "ends_on": a.ends_on.isoformat(), "accepted_at": a.accepted_at.isoformat(),
            "terms_version": a.terms_version, "shared": a.share_set,
            "family_member_ids": list(a.dependant_ids or []),
            "price_minor": a.price_minor, "budget_minor": a.budget_minor,
            "refunded_minor": a.refunded_minor, "currency": a.currency,
            "sponsored": a.sponsored,
            "cancelled_at": a.cancelled_at and a.cancelled_at.isoformat(),
            "plan": dict(plan.data) if plan else None,
            "measurements": [{"kind": m.kind.value, "measured_at": m.measured_at.isoformat(),
                              **m.data} for m in reversed(plans.measurements_of(a))],
            "follow_ups": [{"starts_at": f.starts_at.isoformat(), "mode": f.mode.value,
                            "minutes": f.duration_minutes, "note": f.note,
                            "cancelled_at": f.cancelled_at and f.cancelled_at.isoformat()}
                           for f in plans.follow_ups_of(a)],
            "messages": [{"from": "me" if m.sender_id == user.id else m.sender.display_name,
                          "body": m.body, "at": m.created_at.isoformat()}
                         for m in plans.messages_of(a)],
        })
    return out


def deletion_blockers(user: User, now: datetime) -> list[str]:
    open_ = [a for a in _agreements(user)
             if (a.status is AgreementStatus.ACTIVE and a.effective_end > now)
             or a.is_awaiting_payment(now=now)]
    if not open_:
        return []
    return [ngettext("You have %(num)d family physician agreement that has not ended: end "
                     "it first (the unused days are refunded).",
                     "You have %(num)d family physician agreements that have not ended: end "
                     "them first (the unused days are refunded).", len(open_))]


def erase(user: User, _now: datetime) -> None:
    plans.forget_health_data(user)
    db.session.execute(update(CareAgreement).where(CareAgreement.user_id == user.id)
                       .values(dependant_ids=[]))


def init_app(app: Flask) -> None:
    register_field_labels(app, LABELS)
    register_value_labels(app, "status", AgreementStatus)
    register_value_labels(app, "kind", MeasurementKind)
    register_value_labels(app, "shared", ShareField)
    register_value_labels(app, "direction", {"below": _l("below"), "at_least": _l("at least")})
    register_section(app, Section(key="family_physician", title=_l("Family physician"),
                                  export=export_care, blockers=deletion_blockers, erase=erase,
                                  order=30))
