"""Physician teams, sponsorships and service agreements: signing (terms accepted, family
covered, paid by the sponsoring enterprise's pot, or by the employee's budget and card),
ending (the unused share refunded), and who may see what, when.

The team's read of the employee's profile goes through ``health.sharing``: an agreement that
comes into force (free, sponsored, or once paid) writes a health ``Consent`` for its exact
window (purpose ``care:<id>``), so the team reads only the groups the employee ticked, every
read lands in the employee's access log, and on the day the agreement ends (or the moment it
is ended early) access stops. Money: ``care.payments``; states and locks: ``care.lifecycle``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from benefits import budgets, stripe_gateway
from benefits.checkout import CheckoutResult
from benefits.errors import InsufficientFunds, NotPayable
from benefits.models import BudgetProgramme
from care import lifecycle, payments
from care.errors import (
    AgreementNotFound,
    AgreementNotInForce,
    AgreementNotPayable,
    AgreementOverlaps,
    BudgetNotEnough,
    InvalidCareInput,
    NoCareAccess,
    TeamNotFound,
    TermsChanged,
    TermsNotAccepted,
)
from care.models import (
    AgreementStatus,
    CareAgreement,
    CareSponsorship,
    CareTeam,
    TeamKind,
)
from core.accounts.models import (
    Enterprise,
    ProviderOrganisation,
    ProviderStatus,
    Role,
    User,
)
from core.db import db
from core.errors import NotFound
from core.policy import Action, can, require
from health.errors import NoConsent
from health.models import Consent, Dependant
from health.sharing import SharedHealth, read_shared_health, record_read
from health.vocabulary import ShareField
from providers.models import Practitioner

#: How far ahead an agreement may start.
MAX_START_DAYS = 60
MAX_TERMS_CHARS = 20_000


zone_of = lifecycle.zone_of
local_midnight = lifecycle.local_midnight
local_today = lifecycle.local_today


def terms_digest(text: str) -> str:
    """The SHA-256 of the terms exactly as shown: stored with the signature."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- teams ---------------------------------------------------------------------------------


def teams_of_provider(provider: ProviderOrganisation) -> list[CareTeam]:
    return list(db.session.scalars(select(CareTeam).where(CareTeam.provider_id == provider.id)
                                   .order_by(CareTeam.id)))


def create_team(provider: ProviderOrganisation, *, actor: User, kind: str, name_zh: str,
                name_en: str, description_zh: str = "", description_en: str = "",
                price_minor: int, period_days: int, terms_zh: str, terms_en: str,
                practitioner_ids: Iterable[int], now: datetime) -> CareTeam:
    """A provider owner offers a physician team. Raises Forbidden, NotFound,
    InvalidCareInput (naming each field)."""
    require(actor, Action.MANAGE_PROVIDER, provider)
    errors: dict[str, str] = {}
    if kind not in {k.value for k in TeamKind}:
        errors["kind"] = _("Choose one of the allowed values.")
    for field, value in (("name_zh", name_zh), ("name_en", name_en)):
        if not (value or "").strip() or len(value) > 200:
            errors[field] = _("Enter a name of at most 200 characters.")
    for field, value in (("terms_zh", terms_zh), ("terms_en", terms_en)):
        if not (value or "").strip() or len(value) > MAX_TERMS_CHARS:
            errors[field] = _("Enter the terms (at most 20000 characters).")
    if not isinstance(price_minor, int) or not 0 <= price_minor <= 10_000_000:
        errors["price_minor"] = _("Enter a price between 0 and 100000 yuan.")
    if not isinstance(period_days, int) or not 30 <= period_days <= 366:
        errors["period_days"] = _("An agreement lasts between 30 and 366 days.")
    ids = sorted(set(practitioner_ids))
    members = list(db.session.scalars(select(Practitioner).where(
        Practitioner.id.in_(ids), Practitioner.provider_id == provider.id))) if ids else []
    if not members or len(members) != len(ids):
        errors["practitioner_ids"] = _("Choose at least one of your practitioners.")
    if not errors and db.session.scalar(select(CareTeam.id).where(
            CareTeam.provider_id == provider.id, CareTeam.name_en == name_en.strip())):
        errors["name_en"] = _("A team with this name already exists.")
    if errors:
        raise InvalidCareInput(fields=errors)
    team = CareTeam(provider_id=provider.id, kind=TeamKind(kind), name_zh=name_zh.strip(),
                    name_en=name_en.strip(), description_zh=description_zh.strip(),
                    description_en=description_en.strip(), price_minor=price_minor,
                    currency=provider.park.currency, period_days=period_days,
                    terms_zh=terms_zh.strip(), terms_en=terms_en.strip(), terms_version=1,
                    is_active=True, created_at=now)
    team.members = members
    db.session.add(team)
    db.session.flush()
    return team


def teams_for_employee(user: User) -> list[CareTeam]:
    """Active teams of verified providers in the parks the person works in."""
    park_ids = {m.enterprise.park_id for m in user.active_memberships
                if m.role is Role.EMPLOYEE and m.enterprise is not None}
    if not park_ids:
        return []
    return list(db.session.scalars(
        select(CareTeam).join(ProviderOrganisation)
        .where(ProviderOrganisation.park_id.in_(park_ids),
               ProviderOrganisation.status == ProviderStatus.VERIFIED,
               CareTeam.is_active.is_(True)).order_by(CareTeam.id)))


def team_for_employee(user: User, team_id: int) -> CareTeam:
    team = db.session.get(CareTeam, team_id)
    if team is None or not team.is_active or not can(user, Action.USE_FAMILY_PHYSICIAN, team):
        raise TeamNotFound()
    return team


def employer_of(user: User, provider: ProviderOrganisation) -> Enterprise | None:
    """The person's enterprise in the provider's park."""
    return next((m.enterprise for m in user.active_memberships
                 if m.role is Role.EMPLOYEE and m.enterprise is not None
                 and m.enterprise.park_id == provider.park_id), None)


def sponsorship_for(enterprise_id: int, team_id: int) -> CareSponsorship | None:
    return db.session.scalar(select(CareSponsorship).where(
        CareSponsorship.enterprise_id == enterprise_id, CareSponsorship.team_id == team_id))


def sponsorships_of(enterprise: Enterprise) -> list[CareSponsorship]:
    return list(db.session.scalars(select(CareSponsorship).where(
        CareSponsorship.enterprise_id == enterprise.id).order_by(CareSponsorship.id)))


def sponsor_team(enterprise: Enterprise, *, actor: User, team_id: int, now: datetime,
                 programme_id: int | None = None) -> CareSponsorship:
    """An enterprise admin pays for the team's agreements from the pot of one of its budget
    programmes (``programme_id``; by default its oldest active one in the team's
    currency): employees sign for free, and each signature moves the team's price from the
    pot to the provider. Raises NotFound, Forbidden, TeamNotFound, InvalidCareInput (no
    such programme). Sponsoring again returns the first, paid from the pot now chosen."""
    require(actor, Action.MANAGE_BENEFITS, enterprise)
    team = db.session.get(CareTeam, team_id)
    if team is None or team.provider.park_id != enterprise.park_id or not team.is_active:
        raise TeamNotFound()
    programmes = [p for p in budgets.programmes_of(enterprise.id) if p.currency == team.currency]
    programme: BudgetProgramme | None = next(
        (p for p in programmes if programme_id is None or p.id == programme_id), None)
    if programme is None:
        raise InvalidCareInput(fields={"programme_id": _(
            "Choose one of your active budget programmes: its pot pays for the sponsored "
            "agreements.")})
    existing = sponsorship_for(enterprise.id, team.id)
    if existing is not None:
        if programme_id is not None:
            existing.programme_id = programme.id
            db.session.flush()
        return existing
    sponsorship = CareSponsorship(enterprise_id=enterprise.id, team_id=team.id,
                                  programme_id=programme.id, created_by_id=actor.id,
                                  created_at=now)
    db.session.add(sponsorship)
    db.session.flush()
    return sponsorship


def teams_in_park(park_id: int) -> list[CareTeam]:
    return list(db.session.scalars(
        select(CareTeam).join(ProviderOrganisation)
        .where(ProviderOrganisation.park_id == park_id, CareTeam.is_active.is_(True))
        .order_by(CareTeam.id)))


# -- signing -------------------------------------------------------------------------------


def _sponsorship_of(team: CareTeam, user: User) -> CareSponsorship | None:
    enterprise = employer_of(user, team.provider)
    return sponsorship_for(enterprise.id, team.id) if enterprise is not None else None


def price_for(team: CareTeam, user: User) -> tuple[int, bool]:
    """What the employee pays for one period, and whether their enterprise sponsors it."""
    if _sponsorship_of(team, user) is not None:
        return 0, True
    return team.price_minor, False


def agreements_of(user: User) -> list[CareAgreement]:
    return list(db.session.scalars(select(CareAgreement).where(CareAgreement.user_id == user.id)
                                   .order_by(CareAgreement.starts_at.desc(),
                                             CareAgreement.id.desc())))


def sign_agreement(team: CareTeam, *, actor: User, starts_on: date, accept_terms: bool,
                   terms_version: int, terms_sha256: str, locale: str,
                   share_fields: Iterable[str], dependant_ids: Iterable[int],
                   now: datetime) -> CareAgreement:
    """Sign a service agreement with ``team`` for one period from ``starts_on``.

    Free: in force from its start. Sponsored: the enterprise's pot pays the provider now.
    Priced: paid at the benefits checkout (``care.payments``): when the budget covers it
    all, paid and in force at once; otherwise it is returned ``pending`` (no access yet)
    for the card share to be paid within ``CARE_PAYMENT_MINUTES``.

    Raises TeamNotFound, TermsNotAccepted, TermsChanged (the terms shown are not the
    current ones), InvalidCareInput, AgreementOverlaps, SponsorshipUnfunded,
    BudgetNotEnough (not covered and card payment off). All or nothing: the agreement, the
    consent and the payment are written together or not at all."""
    if not can(actor, Action.USE_FAMILY_PHYSICIAN, team) or not team.is_active:
        raise TeamNotFound()
    if not accept_terms:
        raise TermsNotAccepted(fields={"accept_terms": str(TermsNotAccepted.default_message)})
    if terms_version != team.terms_version or terms_sha256 != terms_digest(team.terms(locale)):
        raise TermsChanged()
    errors: dict[str, str] = {}
    today = local_today(team.provider, now)
    if starts_on is None or not today <= starts_on <= today + timedelta(days=MAX_START_DAYS):
        errors["starts_on"] = _("Start between today and %(days)s days from now.",
                                days=MAX_START_DAYS)
    try:
        shared = sorted({ShareField(f).value for f in share_fields})
    except ValueError:
        errors["share_fields"] = _("Choose one of the allowed values.")
        shared = []
    wanted = sorted(set(dependant_ids))
    if wanted:
        mine = set(db.session.scalars(select(Dependant.id).where(
            Dependant.user_id == actor.id, Dependant.id.in_(wanted))))
        if mine != set(wanted):
            errors["dependant_ids"] = _("Choose family members from your own list.")
    if errors:
        raise InvalidCareInput(fields=errors)
    enterprise = employer_of(actor, team.provider)
    if enterprise is None:
        raise TeamNotFound()
    starts_at = local_midnight(starts_on, team.provider)
    ends_on = starts_on + timedelta(days=team.period_days)
    ends_at = local_midnight(ends_on, team.provider)
    lifecycle.lock_person(actor.id)
    for other in agreements_of(actor):
        if other.status is AgreementStatus.PENDING and not other.is_awaiting_payment(now=now):
            payments.expire_unpaid(other, now=now)  # its time to pay has passed
        if other.status is AgreementStatus.EXPIRED:
            continue
        if other.starts_at < ends_at and other.effective_end > starts_at \
                and other.effective_end > now:
            raise AgreementOverlaps()
    sponsorship = _sponsorship_of(team, actor)
    price = 0 if sponsorship is not None else team.price_minor
    agreement = CareAgreement(
        team_id=team.id, provider_id=team.provider_id, user_id=actor.id,
        enterprise_id=enterprise.id,
        status=AgreementStatus.PENDING if price else AgreementStatus.ACTIVE,
        hold_expires_at=payments.hold_until(now=now) if price else None,
        starts_on=starts_on, ends_on=ends_on, starts_at=starts_at, ends_at=ends_at,
        terms_version=team.terms_version, terms_sha256=terms_sha256, terms_locale=locale,
        accepted_at=now, share_fields=" ".join(shared), dependant_ids=wanted,
        price_minor=price, budget_minor=0, currency=team.currency,
        sponsored=sponsorship is not None, created_at=now)
    db.session.add(agreement)
    db.session.flush()
    if sponsorship is not None:
        payments.pay_from_pot(agreement, sponsorship, price_minor=team.price_minor,
                              actor=actor, now=now)
    if not price:
        lifecycle.activate(agreement, now=now)
        return agreement
    split = payments.quote(agreement, today=today)
    if split.card_minor and not stripe_gateway.card_payments_enabled():
        raise BudgetNotEnough()
    if not split.card_minor:  # no Stripe call: paid under the locks, in this transaction
        try:
            payments.pay(agreement, now=now, today=today)
        except InsufficientFunds as exc:
            raise BudgetNotEnough(_("Your budget changed while you were signing and no "
                                    "longer covers this agreement. Nothing was signed.")) \
                from exc
    return agreement


def pay_agreement(agreement: CareAgreement, *, actor: User, now: datetime
                  ) -> CheckoutResult:
    """Pay one's pending agreement: the budget's share at once, the card's through Stripe
    (``client_secret``; Stripe's webhook then signs it). Paying again while the card share
    is pending returns the same intent. Raises AgreementNotFound (not the actor's),
    AgreementNotPayable, CardPaymentUnavailable, PaymentProviderFailed, InsufficientFunds."""
    if not can(actor, Action.OWN_RECORD, agreement):
        raise AgreementNotFound()
    existing = payments.payment_of(agreement)
    if existing is None and not agreement.is_awaiting_payment(now=now):
        raise AgreementNotPayable()
    try:
        return payments.pay(agreement, now=now,
                            today=lifecycle.local_today(agreement.provider, now))
    except NotPayable as exc:
        raise AgreementNotPayable() from exc


def end_agreement(agreement: CareAgreement, *, actor: User, now: datetime) -> CareAgreement:
    """The employee ends the agreement early: the team loses access at once (the consent is
    revoked) and the unused share of what was paid goes back, pro rata by days, to whoever
    paid it (``care.payments.give_back``). A pending agreement is given up instead: its
    payment is released. Raises AgreementNotFound, AgreementNotInForce."""
    if not can(actor, Action.OWN_RECORD, agreement):
        raise AgreementNotFound()
    lifecycle.lock_agreement(agreement)
    if agreement.status is AgreementStatus.PENDING:
        payments.release(agreement, now=now)
        lifecycle.mark_unpaid(agreement, now=now)
        return agreement
    if agreement.status is not AgreementStatus.ACTIVE or now >= agreement.ends_at:
        raise AgreementNotInForce()
    agreement.status = AgreementStatus.CANCELLED
    agreement.cancelled_at = now
    lifecycle.revoke_consent(agreement, now=now)
    payments.give_back(agreement, now=now, today=lifecycle.local_today(agreement.provider, now))
    return agreement


# -- who sees an agreement ---------------------------------------------------------------


def is_team_member(user: User, agreement: CareAgreement) -> bool:
    return can(user, Action.ACT_AS_CARE_TEAM, agreement)


def agreement_for(user: User, agreement_id: int, *, now: datetime) -> tuple[CareAgreement, str]:
    """The agreement and the viewer's side: ``"client"`` (the employee, always) or
    ``"team"`` (a team member, only while the agreement is in force). Anyone else, or the
    team outside the window: AgreementNotFound / NoCareAccess (both 404)."""
    agreement = db.session.get(CareAgreement, agreement_id)
    if agreement is None:
        raise AgreementNotFound()
    if can(user, Action.OWN_RECORD, agreement) and can(user, Action.MANAGE_OWN_HEALTH):
        return agreement, "client"
    if is_team_member(user, agreement):
        if not agreement.is_in_force(now=now):
            raise NoCareAccess()
        return agreement, "team"
    raise AgreementNotFound()


def team_agreement(user: User, agreement_id: int, *, now: datetime) -> CareAgreement:
    agreement, side = agreement_for(user, agreement_id, now=now)
    if side != "team":
        raise AgreementNotFound()
    return agreement


def practitioner_of(user: User, agreement: CareAgreement) -> Practitioner:
    found = next((p for p in agreement.team.members if p.user_id == user.id), None)
    if found is None:
        raise NotFound()
    return found


def agreements_for_team_member(user: User, provider: ProviderOrganisation, *,
                               now: datetime) -> list[CareAgreement]:
    """The agreements in force of the teams ``user`` is on (none outside their window)."""
    require(user, Action.VIEW_PROVIDER_DASHBOARD, provider)
    rows = db.session.scalars(select(CareAgreement).where(
        CareAgreement.provider_id == provider.id, CareAgreement.starts_at <= now,
        CareAgreement.ends_at > now, CareAgreement.status == AgreementStatus.ACTIVE)
        .order_by(CareAgreement.starts_at, CareAgreement.id))
    return [a for a in rows if is_team_member(user, a)]


def shared_profile(agreement: CareAgreement, *, actor: User, now: datetime,
                   also: Iterable[str] = ()) -> SharedHealth | None:
    """What the employee shares with the team, read through ``health.sharing`` (checked
    against the consent's window and logged in the employee's access log, together with
    ``also``: the ``CareRecord`` values the same page shows). Raises NoCareAccess outside
    the agreement; None when nothing is shared (``also`` is logged all the same)."""
    if not is_team_member(actor, agreement) or not agreement.is_in_force(now=now):
        raise NoCareAccess()
    try:
        return read_shared_health(accessor=actor, provider=agreement.provider,
                                  owner_id=agreement.user_id, now=now, also=also)
    except NoConsent:
        record_team_read(agreement, actor=actor, items=also, now=now)
        return None


def record_team_read(agreement: CareAgreement, *, actor: User, items: Iterable[str],
                     now: datetime) -> None:
    """A team member read records kept under the agreement (``CareRecord`` values: plan,
    home measurements, messages, alerts): into the employee's access log. The employee's
    own reads are not logged."""
    if can(actor, Action.OWN_RECORD, agreement):
        return
    consent = sharing_consent(agreement)
    record_read(owner_id=agreement.user_id, accessor=actor, provider_id=agreement.provider_id,
                items=items, now=now, consent_id=consent.id if consent else None)


def sharing_consent(agreement: CareAgreement) -> Consent | None:
    """The health consent the agreement wrote for its window (None when nothing was ticked
    or it was never in force)."""
    return db.session.scalar(select(Consent).where(
        Consent.user_id == agreement.user_id,
        Consent.purpose == lifecycle.consent_purpose(agreement))
        .order_by(Consent.id.desc()).limit(1))


def shared_now(agreement: CareAgreement, *, now: datetime) -> list[str]:
    """The share groups the team may read at ``now``: none once the employee stopped the
    sharing (revoked on the sharing page), the agreement ended, or before it starts. What
    the agreement page and the API say is shared: never the ticked list of the signature
    alone."""
    consent = sharing_consent(agreement)
    if consent is None or not consent.is_active(now=now) or not agreement.is_in_force(now=now):
        return []
    return sorted(consent.fields.split())


def sharing_stopped_at(agreement: CareAgreement) -> datetime | None:
    """When the employee stopped the sharing (or ended the agreement), if they did."""
    consent = sharing_consent(agreement)
    return consent.revoked_at if consent is not None else None


def covered_dependants(agreement: CareAgreement) -> list[Dependant]:
    if not agreement.dependant_ids:
        return []
    return list(db.session.scalars(select(Dependant).where(
        Dependant.id.in_(agreement.dependant_ids), Dependant.user_id == agreement.user_id)))


def forget_dependant(dependant: Dependant) -> None:
    """A family member is being deleted: no agreement covers them any more."""
    for agreement in db.session.scalars(select(CareAgreement).where(
            CareAgreement.user_id == dependant.user_id)):
        if dependant.id in (agreement.dependant_ids or []):
            agreement.dependant_ids = [i for i in agreement.dependant_ids if i != dependant.id]
    db.session.flush()
