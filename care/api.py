"""JSON endpoints for family health physicians and outcomes. Thin: each checks the shape,
calls a service or a query, serialises."""

from __future__ import annotations

from benefits import stripe_gateway
from benefits.schemas import PaymentOut
from care import agreements, lifecycle, outcomes, payments, plans, queries
from care.errors import AgreementNotFound
from care.schemas import (
    AgreementCreate,
    AgreementDetail,
    AgreementList,
    AgreementOut,
    AgreementPaymentOut,
    AlertOut,
    EmptyBody,
    FollowUpIn,
    FollowUpMove,
    FollowUpOut,
    MeasurementIn,
    MeasurementList,
    MeasurementOut,
    MessageIn,
    MessageList,
    MessageOut,
    OutcomeQuery,
    OutcomesOut,
    PatientsOut,
    PlanIn,
    PlanOut,
    SharedHealthOut,
    SponsorshipCreate,
    SponsorshipOut,
    TeamCreate,
    TeamList,
    TeamOut,
)
from core.accounts.models import ApiScope, User
from core.api.openapi import ApiBlueprint
from core.clock import today_in, utcnow
from core.i18n import current_locale_code
from core.policy import Action, require

bp = ApiBlueprint("care_api", __name__, tag="care")


def _team_out(team, user: User | None = None) -> TeamOut:
    locale = current_locale_code()
    return TeamOut.of(team, locale, digest=agreements.terms_digest(team.terms(locale)),
                      price=agreements.price_for(team, user) if user else None)


def _today():
    return today_in()


# -- teams and agreements ------------------------------------------------------------------


@bp.operation("/care/teams", method="GET", response=TeamList, errors=(403,),
              summary="Physician teams I can sign with (employees)")
def list_teams(user: User):
    require(user, Action.MANAGE_OWN_HEALTH)
    return TeamList(items=[_team_out(t, user) for t in agreements.teams_for_employee(user)])


@bp.operation("/providers/<int:provider_id>/care/teams", method="POST", scope=ApiScope.WRITE,
              body=TeamCreate, response=TeamOut, status=201, errors=(403, 404, 422),
              summary="Offer a physician team (provider owners)")
def create_team(user: User, provider_id: int, body: TeamCreate):
    provider = queries.provider_for_owner(user, provider_id)
    team = agreements.create_team(provider, actor=user, now=utcnow(), **body.model_dump())
    return _team_out(team)


@bp.operation("/care/teams/<int:team_id>/agreements", method="POST", scope=ApiScope.WRITE,
              body=AgreementCreate, response=AgreementOut, status=201,
              errors=(404, 409, 422), summary="Sign a service agreement with a team")
def sign(user: User, team_id: int, body: AgreementCreate):
    """The terms must be the ones shown (``terms_version`` and ``terms_sha256`` from the
    team). Free or sponsored (the enterprise's pot pays the provider): in force from its
    start. Priced: the budget pays at once when it covers everything; otherwise the
    agreement is ``pending`` until ``hold_expires_at``: pay the rest by card with
    ``POST /care/agreements/{id}/pay``. 409 ``care_budget_not_enough`` when the budget does
    not cover it and card payment is off; 409 ``care_sponsorship_unfunded`` when the
    sponsor's pot cannot cover it (nothing is signed then)."""
    team = agreements.team_for_employee(user, team_id)
    now = utcnow()
    agreement = agreements.sign_agreement(
        team, actor=user, starts_on=body.starts_on, accept_terms=body.accept_terms,
        terms_version=body.terms_version, terms_sha256=body.terms_sha256,
        locale=current_locale_code(), share_fields=body.share_fields,
        dependant_ids=body.dependant_ids, now=now)
    return AgreementOut.of(agreement, current_locale_code(), now=now)


@bp.operation("/me/care/agreements", method="GET", response=AgreementList, errors=(403,),
              summary="My family physician agreements")
def my_agreements(user: User):
    require(user, Action.MANAGE_OWN_HEALTH)
    now = utcnow()
    return AgreementList(items=[AgreementOut.of(a, current_locale_code(), now=now)
                                for a in agreements.agreements_of(user)])


@bp.operation("/care/agreements/<int:agreement_id>", method="GET", response=AgreementDetail,
              errors=(404,), summary="An agreement with its plan, follow-ups and alerts")
def get_agreement(user: User, agreement_id: int):
    """The employee always; a team member only while the agreement is in force."""
    now = utcnow()
    agreement, side = agreements.agreement_for(user, agreement_id, now=now)
    plan = plans.plan_of(agreement)
    rows = plans.measurements_of(agreement)
    progress = plans.progress(plan, rows)
    alerts = plans.open_alerts([agreement.id]) if side == "team" else []
    if side == "team":  # the plan's progress shows the latest measurement of each goal
        agreements.record_team_read(agreement, actor=user, now=now, items=plans.records_shown(
            plan=plan, measurements=rows if plan else [], messages=[], alerts=alerts))
    return AgreementDetail(
        agreement=AgreementOut.of(agreement, current_locale_code(), now=now), side=side,
        plan=PlanOut.of(plan, progress) if plan else None,
        follow_ups=[FollowUpOut.of(f) for f in plans.follow_ups_of(agreement)],
        alerts=[AlertOut.of(a) for a in alerts])


@bp.operation("/care/agreements/<int:agreement_id>/end", method="POST", scope=ApiScope.WRITE,
              body=EmptyBody, response=AgreementOut, errors=(404, 409),
              summary="End my agreement early (the team loses access at once; the unused "
                      "days are refunded pro rata to whoever paid)")
def end(user: User, agreement_id: int, body: EmptyBody):
    now = utcnow()
    agreement, _side = agreements.agreement_for(user, agreement_id, now=now)
    return AgreementOut.of(agreements.end_agreement(agreement, actor=user, now=now),
                           current_locale_code(), now=now)


def _payment_out(agreement, *, payment=None, client_secret: str | None = None
                 ) -> AgreementPaymentOut:
    now = utcnow()
    split = payments.quote(agreement, today=lifecycle.local_today(agreement.provider, now))
    payment = payment or payments.payment_of(agreement)
    return AgreementPaymentOut(
        agreement=AgreementOut.of(agreement, current_locale_code(), now=now),
        price_minor=split.price_minor, budget_minor=split.budget_minor,
        card_minor=split.card_minor, currency=split.currency,
        card_payments_enabled=stripe_gateway.card_payments_enabled(),
        payment=PaymentOut.of(payment, client_secret) if payment else None)


def _own(user: User, agreement_id: int):
    agreement, side = agreements.agreement_for(user, agreement_id, now=utcnow())
    if side != "client":
        raise AgreementNotFound()
    return agreement


@bp.operation("/care/agreements/<int:agreement_id>/payment", method="GET",
              response=AgreementPaymentOut, errors=(404,),
              summary="What my agreement costs, what my budget pays, and how it was paid or "
                      "refunded")
def get_payment(user: User, agreement_id: int):
    return _payment_out(_own(user, agreement_id))


@bp.operation("/care/agreements/<int:agreement_id>/pay", method="POST", scope=ApiScope.WRITE,
              body=EmptyBody, response=AgreementPaymentOut, status=201,
              errors=(404, 409, 502),
              summary="Pay my pending agreement: budget first, the rest by card (Stripe)")
def pay(user: User, agreement_id: int, body: EmptyBody):
    """The budget share is held at once; with nothing left for the card the agreement is
    signed. Otherwise ``payment.client_secret`` confirms the card share with Stripe.js and
    Stripe's webhook brings the agreement into force. Calling it again while the card
    share is pending returns the same intent. 409 ``care_agreement_not_payable`` when it is
    not waiting for payment (any more); 409 ``card_payment_unavailable`` when a card share
    is needed but card payment is off."""
    agreement = _own(user, agreement_id)
    result = agreements.pay_agreement(agreement, actor=user, now=utcnow())
    return _payment_out(agreement, payment=result.payment, client_secret=result.client_secret)


@bp.operation("/care/agreements/<int:agreement_id>/shared-health", method="GET",
              response=SharedHealthOut, errors=(404,),
              summary="What the employee shares with the team (logged in their access log)")
def shared_health(user: User, agreement_id: int):
    now = utcnow()
    agreement = agreements.team_agreement(user, agreement_id, now=now)
    shared = agreements.shared_profile(agreement, actor=user, now=now)
    if shared is None:
        return SharedHealthOut(fields=[], until=None, readings={}, lifestyle={})
    return SharedHealthOut(
        fields=sorted(f.value for f in shared.fields), until=shared.until,
        readings={k: {"value": v.value, "on": v.on.isoformat()}
                  for k, v in shared.readings.items()},
        lifestyle={k: v for k, v in shared.lifestyle.items() if v is not None})


# -- plan, measurements, alerts -----------------------------------------------------------


@bp.operation("/care/agreements/<int:agreement_id>/plan", method="PUT", scope=ApiScope.WRITE,
              body=PlanIn, response=PlanOut, errors=(404, 422),
              summary="Set the care plan's goals (the team)")
def put_plan(user: User, agreement_id: int, body: PlanIn):
    now = utcnow()
    agreement = agreements.team_agreement(user, agreement_id, now=now)
    plan = plans.set_plan(agreement, actor=user,
                          goals=[g.model_dump(mode="json") for g in body.goals],
                          notes=body.notes, now=now, today=_today())
    return PlanOut.of(plan, plans.progress(plan, plans.measurements_of(agreement)))


@bp.operation("/care/agreements/<int:agreement_id>/measurements", method="GET",
              response=MeasurementList, errors=(404,), summary="Home measurements")
def list_measurements(user: User, agreement_id: int):
    now = utcnow()
    agreement, _side = agreements.agreement_for(user, agreement_id, now=now)
    rows = plans.measurements_of(agreement)
    agreements.record_team_read(agreement, actor=user, now=now, items=plans.records_shown(
        plan=None, measurements=rows, messages=[], alerts=[]))
    return MeasurementList(items=[MeasurementOut.of(r) for r in rows])


@bp.operation("/care/agreements/<int:agreement_id>/measurements", method="POST",
              scope=ApiScope.WRITE, body=MeasurementIn, response=MeasurementOut, status=201,
              errors=(404, 409, 422), summary="Log a home measurement (the employee)")
def add_measurement(user: User, agreement_id: int, body: MeasurementIn):
    """Impossible values are refused (``care_impossible_measurement``, the field named);
    a reading outside the plan's thresholds alerts the team."""
    now = utcnow()
    agreement, _side = agreements.agreement_for(user, agreement_id, now=now)
    row = plans.log_measurement(agreement, actor=user, kind=body.kind,
                                values={"systolic": body.systolic, "diastolic": body.diastolic,
                                        "value": body.value},
                                unit=body.unit, measured_at=body.measured_at, now=now)
    return MeasurementOut.of(row)


@bp.operation("/care/alerts/<int:alert_id>/acknowledge", method="POST", scope=ApiScope.WRITE,
              body=EmptyBody, response=AlertOut, errors=(404, 409),
              summary="Mark an alert as seen (the team)")
def acknowledge(user: User, alert_id: int, body: EmptyBody):
    return AlertOut.of(plans.acknowledge_alert(alert_id, actor=user, now=utcnow()))


@bp.operation("/providers/<int:provider_id>/care/patients", method="GET",
              response=PatientsOut, errors=(403, 404),
              summary="Agreements in force of my teams, and their open alerts")
def patients(user: User, provider_id: int):
    provider = queries.provider_for_staff(user, provider_id)
    now = utcnow()
    rows = agreements.agreements_for_team_member(user, provider, now=now)
    alerts = plans.open_alerts([a.id for a in rows])
    plans.record_alerts_read(rows, alerts, actor=user, now=now)
    return PatientsOut(agreements=[AgreementOut.of(a, current_locale_code(), now=now)
                                   for a in rows],
                       alerts=[AlertOut.of(a) for a in alerts])


# -- follow-ups and messages ---------------------------------------------------------------


@bp.operation("/care/agreements/<int:agreement_id>/follow-ups", method="POST",
              scope=ApiScope.WRITE, body=FollowUpIn, response=FollowUpOut, status=201,
              errors=(404, 422), summary="Schedule a follow-up (the team)")
def add_follow_up(user: User, agreement_id: int, body: FollowUpIn):
    now = utcnow()
    agreement = agreements.team_agreement(user, agreement_id, now=now)
    return FollowUpOut.of(plans.schedule_follow_up(
        agreement, actor=user, starts_at=body.starts_at, duration_minutes=body.duration_minutes,
        mode=body.mode, note=body.note, now=now))


@bp.operation("/care/follow-ups/<int:follow_up_id>/cancel", method="POST",
              scope=ApiScope.WRITE, body=EmptyBody, response=FollowUpOut,
              errors=(404, 409), summary="Cancel a follow-up (the team)")
def cancel_follow_up(user: User, follow_up_id: int, body: EmptyBody):
    """It stays on both calendar feeds as cancelled (SEQUENCE raised); the employee is told
    by mail."""
    return FollowUpOut.of(plans.cancel_follow_up(follow_up_id, actor=user, now=utcnow()))


@bp.operation("/care/follow-ups/<int:follow_up_id>/move", method="POST",
              scope=ApiScope.WRITE, body=FollowUpMove, response=FollowUpOut,
              errors=(404, 409, 422), summary="Move a follow-up to another time (the team)")
def move_follow_up(user: User, follow_up_id: int, body: FollowUpMove):
    """Within the agreement, in the future; both calendar feeds show the new time (same
    UID, SEQUENCE raised) and the employee is told by mail. 409
    ``care_follow_up_not_open`` once it is cancelled or has started."""
    return FollowUpOut.of(plans.move_follow_up(
        follow_up_id, actor=user, starts_at=body.starts_at,
        duration_minutes=body.duration_minutes, now=utcnow()))


@bp.operation("/care/agreements/<int:agreement_id>/messages", method="GET",
              response=MessageList, errors=(404,), summary="Messages of an agreement")
def list_messages(user: User, agreement_id: int):
    now = utcnow()
    agreement, _side = agreements.agreement_for(user, agreement_id, now=now)
    messages = plans.messages_of(agreement)
    agreements.record_team_read(agreement, actor=user, now=now, items=plans.records_shown(
        plan=None, measurements=[], messages=messages, alerts=[]))
    return MessageList(items=[MessageOut.of(m) for m in messages])


@bp.operation("/care/agreements/<int:agreement_id>/messages", method="POST",
              scope=ApiScope.WRITE, body=MessageIn, response=MessageOut, status=201,
              errors=(404, 409, 422), summary="Write to the team or the employee")
def post_message(user: User, agreement_id: int, body: MessageIn):
    """Refused once the agreement has ended (``care_agreement_not_in_force``)."""
    now = utcnow()
    agreement, _side = agreements.agreement_for(user, agreement_id, now=now)
    return MessageOut.of(plans.post_message(agreement, actor=user, body=body.body, now=now))


# -- sponsorship and outcomes ---------------------------------------------------------------


@bp.operation("/enterprises/<int:enterprise_id>/care/sponsorships", method="POST",
              scope=ApiScope.WRITE, body=SponsorshipCreate, response=SponsorshipOut,
              status=201, errors=(403, 404, 422),
              summary="Sponsor a physician team from a programme's pot (admins)")
def sponsor(user: User, enterprise_id: int, body: SponsorshipCreate):
    enterprise = queries.enterprise_for_admin(user, enterprise_id)
    return SponsorshipOut.of(agreements.sponsor_team(enterprise, actor=user,
                                                     team_id=body.team_id,
                                                     programme_id=body.programme_id,
                                                     now=utcnow()))


def _year(query: OutcomeQuery, zone: str) -> int:
    return query.year or queries.year_of(utcnow(), zone)


@bp.operation("/parks/<int:park_id>/care/outcomes", method="GET", query=OutcomeQuery,
              response=OutcomesOut, errors=(403, 404),
              summary="Park-wide outcome indicators, k-anonymous (its committee)")
def park_outcomes(user: User, park_id: int, query: OutcomeQuery):
    park = queries.park_for_outcomes(user, park_id)
    return OutcomesOut.of(outcomes.published_for_park(
        park, year=_year(query, park.timezone), now=utcnow()))


@bp.operation("/enterprises/<int:enterprise_id>/care/outcomes", method="GET",
              query=OutcomeQuery, response=OutcomesOut, errors=(403, 404),
              summary="The enterprise's outcome indicators, k-anonymous (its admins)")
def enterprise_outcomes(user: User, enterprise_id: int, query: OutcomeQuery):
    enterprise = queries.enterprise_for_outcomes(user, enterprise_id)
    return OutcomesOut.of(outcomes.published_for_enterprise(
        enterprise, year=_year(query, enterprise.park.timezone), now=utcnow()))
