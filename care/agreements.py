"""Physician teams, sponsorships and service agreements: signing (terms accepted, family
covered, paid from the budget or sponsored), ending, and who may see what, when.

The team's read of the employee's profile goes through ``health.sharing``: signing writes a
health ``Consent`` for the agreement's exact window (purpose ``care:<id>``), so the team
reads only the groups the employee ticked, every read lands in the employee's access log,
and on the day the agreement ends (or the moment it is ended early) access stops.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from benefits import budgets, ledger
from benefits.checkout import platform_fee
from benefits.errors import InsufficientFunds
from benefits.models import AccountKind, TransactionKind
from care.errors import (
    AgreementNotFound,
    AgreementNotInForce,
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
from health.sharing import SharedHealth, read_shared_health
from health.vocabulary import ShareField
from providers.models import Practitioner

#: How far ahead an agreement may start.
MAX_START_DAYS = 60
MAX_TERMS_CHARS = 20_000


def zone_of(provider: ProviderOrganisation) -> ZoneInfo:
    return ZoneInfo(provider.park.timezone)


def local_midnight(day: date, provider: ProviderOrganisation) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone_of(provider))


def local_today(provider: ProviderOrganisation, now: datetime) -> date:
    return now.astimezone(zone_of(provider)).date()


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


def sponsor_team(enterprise: Enterprise, *, actor: User, team_id: int,
                 now: datetime) -> CareSponsorship:
    """An enterprise admin pays for the team's agreements: employees sign for free.
    Raises NotFound, Forbidden, TeamNotFound. Sponsoring twice returns the first."""
    require(actor, Action.MANAGE_BENEFITS, enterprise)
    team = db.session.get(CareTeam, team_id)
    if team is None or team.provider.park_id != enterprise.park_id or not team.is_active:
        raise TeamNotFound()
    existing = sponsorship_for(enterprise.id, team.id)
    if existing is not None:
        return existing
    sponsorship = CareSponsorship(enterprise_id=enterprise.id, team_id=team.id,
                                  created_by_id=actor.id, created_at=now)
    db.session.add(sponsorship)
    db.session.flush()
    return sponsorship


def teams_in_park(park_id: int) -> list[CareTeam]:
    return list(db.session.scalars(
        select(CareTeam).join(ProviderOrganisation)
        .where(ProviderOrganisation.park_id == park_id, CareTeam.is_active.is_(True))
        .order_by(CareTeam.id)))


# -- signing -------------------------------------------------------------------------------


def price_for(team: CareTeam, user: User) -> tuple[int, bool]:
    """What the employee pays for one period, and whether their enterprise sponsors it."""
    enterprise = employer_of(user, team.provider)
    if enterprise is not None and sponsorship_for(enterprise.id, team.id) is not None:
        return 0, True
    return team.price_minor, False


def _lock_user(user: User) -> None:
    """Serialise one person's signatures, so that two parallel ones cannot both pass the
    overlap check (SQLite has one writer anyway)."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def agreements_of(user: User) -> list[CareAgreement]:
    return list(db.session.scalars(select(CareAgreement).where(CareAgreement.user_id == user.id)
                                   .order_by(CareAgreement.starts_at.desc(),
                                             CareAgreement.id.desc())))


def sign_agreement(team: CareTeam, *, actor: User, starts_on: date, accept_terms: bool,
                   terms_version: int, terms_sha256: str, locale: str,
                   share_fields: Iterable[str], dependant_ids: Iterable[int],
                   now: datetime) -> CareAgreement:
    """Sign a service agreement with ``team`` for one period from ``starts_on``.

    Raises TeamNotFound, TermsNotAccepted, TermsChanged (the terms shown are not the
    current ones), InvalidCareInput, AgreementOverlaps, BudgetNotEnough. All or nothing:
    the agreement, the consent and the payment are written together or not at all."""
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
    _lock_user(actor)
    for other in agreements_of(actor):
        if other.starts_at < ends_at and other.effective_end > starts_at \
                and other.effective_end > now:
            raise AgreementOverlaps()
    price, sponsored = price_for(team, actor)
    agreement = CareAgreement(
        team_id=team.id, provider_id=team.provider_id, user_id=actor.id,
        enterprise_id=enterprise.id, status=AgreementStatus.ACTIVE, starts_on=starts_on,
        ends_on=ends_on, starts_at=starts_at, ends_at=ends_at,
        terms_version=team.terms_version, terms_sha256=terms_sha256, terms_locale=locale,
        accepted_at=now, share_fields=" ".join(shared), dependant_ids=wanted,
        price_minor=price, budget_minor=0, currency=team.currency, sponsored=sponsored,
        created_at=now)
    db.session.add(agreement)
    db.session.flush()
    if price:
        pay_from_budget(agreement, enterprise=enterprise, now=now, today=today)
    if shared:
        db.session.add(Consent(user_id=actor.id, provider_id=team.provider_id,
                               fields=" ".join(shared), purpose=f"care:{agreement.id}",
                               valid_from=starts_at, valid_until=ends_at, created_at=now))
    db.session.flush()
    return agreement


def pay_from_budget(agreement: CareAgreement, *, enterprise: Enterprise, now: datetime,
                    today: date) -> None:
    """Budget-only payment of an agreement through the ledger: the price moves from the
    employee's spendable budget (oldest period first, the programme with the most left)
    straight to the provider's payable, and the platform's fee from there, in one ledger
    transaction each, referenced ``care:agreement<id>``. Raises BudgetNotEnough.

    Card payment for agreements waits for a generic "payable subject" in
    ``benefits.checkout``; it is not offered here."""
    category = agreement.team.kind.value if agreement.team.kind is TeamKind.TCM else None
    best = None
    for programme in budgets.programmes_of(enterprise.id):
        if programme.currency != agreement.currency:
            continue
        spend = budgets.spendable(agreement.user_id, programme, category=category, today=today)
        if spend.available_minor >= agreement.price_minor and (
                best is None or spend.available_minor > best.available_minor):
            best = spend
    if best is None:
        raise BudgetNotEnough()
    remaining, legs = agreement.price_minor, []
    for account in best.accounts:
        take = min(account.balance_minor, remaining)
        if take:
            legs.append(ledger.Leg(account, -take))
            remaining -= take
    payable = ledger.get_account(AccountKind.PROVIDER_PAYABLE, currency=agreement.currency,
                                 now=now, provider_id=agreement.provider_id)
    legs.append(ledger.Leg(payable, agreement.price_minor))
    reference = f"care:agreement{agreement.id}"
    try:
        ledger.post(TransactionKind.CAPTURE, legs, now=now, reference=reference,
                    category=category, actor_id=agreement.user_id)
        fee = platform_fee(agreement.price_minor)
        if fee:
            fees = ledger.get_account(AccountKind.PLATFORM_FEES, currency=agreement.currency,
                                      now=now)
            ledger.transfer(TransactionKind.FEE, source=payable, target=fees, amount_minor=fee,
                            now=now, reference=f"fee:{reference}", category=category)
    except InsufficientFunds as exc:
        raise BudgetNotEnough() from exc
    agreement.budget_minor = agreement.price_minor
    agreement.ledger_reference = reference


def end_agreement(agreement: CareAgreement, *, actor: User, now: datetime) -> CareAgreement:
    """The employee ends the agreement early: the team loses access at once (the consent is
    revoked). Nothing is refunded. Raises AgreementNotFound, AgreementNotInForce."""
    if agreement.user_id != actor.id:
        raise AgreementNotFound()
    if agreement.status is not AgreementStatus.ACTIVE or now >= agreement.ends_at:
        raise AgreementNotInForce()
    agreement.status = AgreementStatus.CANCELLED
    agreement.cancelled_at = now
    for consent in db.session.scalars(select(Consent).where(
            Consent.purpose == f"care:{agreement.id}", Consent.revoked_at.is_(None))):
        consent.revoked_at = now
    db.session.flush()
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
    if agreement.user_id == user.id and can(user, Action.MANAGE_OWN_HEALTH):
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


def shared_profile(agreement: CareAgreement, *, actor: User, now: datetime
                   ) -> SharedHealth | None:
    """What the employee shares with the team, read through ``health.sharing`` (checked
    against the consent's window and logged in the employee's access log). Raises
    NoCareAccess outside the agreement; None when nothing is shared."""
    if not is_team_member(actor, agreement) or not agreement.is_in_force(now=now):
        raise NoCareAccess()
    try:
        return read_shared_health(accessor=actor, provider=agreement.provider,
                                  owner_id=agreement.user_id, now=now)
    except NoConsent:
        return None


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
