"""Money, the policy, logins and tokens, as plain functions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.accounts import services, tokens
from core.accounts.errors import InvalidLogin, LoginTaken
from core.accounts.logins import split_login
from core.accounts.models import ProviderLevel, Role
from core.clock import utcnow
from core.errors import Forbidden, InvalidInput, NotFound
from core.money import CurrencyMismatch, Money
from core.policy import Action, can, require


def test_money_adds_in_fen_and_refuses_to_mix_currencies():
    assert Money(1050) + Money(250) == Money(1300)
    assert Money(1999).major_decimal == "19.99"
    assert Money(-5).major_decimal == "-0.05"
    assert Money(10000).percent(1250) == Money(1250)  # 12.5 %
    with pytest.raises(CurrencyMismatch):
        Money(1, "CNY") + Money(1, "USD")
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(("typed", "expected"), [
    ("Li.Lei@Example.COM", ("li.lei@example.com", None)),
    ("13812345678", (None, "+8613812345678")),
    ("+86 138-1234-5678", (None, "+8613812345678")),
])
def test_logins_are_normalised(typed, expected):
    assert split_login(typed) == expected


@pytest.mark.parametrize("typed", ["", "not-an-email@", "12345", "abc"])
def test_nonsense_logins_are_refused(typed):
    with pytest.raises(InvalidLogin):
        split_login(typed)


def test_one_login_belongs_to_one_person(app, make):
    user = make.user(Role.EMPLOYEE, mobile="+8613900000001")
    with pytest.raises(LoginTaken):
        services.create_user(login=user.email.upper(), password="x" * 10, display_name="x",
                             now=utcnow())
    with pytest.raises(LoginTaken):
        services.create_user(login="139 0000 0001", password="x" * 10, display_name="x",
                             now=utcnow())


def test_policy_scopes_enterprise_admins_to_their_enterprise(app, make):
    mine, theirs = make.enterprise(), make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=mine)
    employee = make.user(Role.EMPLOYEE, enterprise=mine)
    assert can(admin, Action.MANAGE_ENTERPRISE_INVITATIONS, mine)
    assert not can(admin, Action.MANAGE_ENTERPRISE_INVITATIONS, theirs)
    with pytest.raises(NotFound):  # another tenant's enterprise does not exist for them
        require(admin, Action.MANAGE_ENTERPRISE_INVITATIONS, theirs)
    with pytest.raises(Forbidden):  # their own enterprise, but not their right
        require(employee, Action.MANAGE_ENTERPRISE_INVITATIONS, mine)


def test_only_provider_owners_invite_staff(app, make):
    provider = make.provider()
    owner = make.user(Role.PROVIDER_STAFF, provider=provider, provider_level=ProviderLevel.OWNER)
    staff = make.user(Role.PROVIDER_STAFF, provider=provider, provider_level=ProviderLevel.STAFF)
    assert can(owner, Action.MANAGE_PROVIDER_STAFF, provider)
    assert not can(staff, Action.MANAGE_PROVIDER_STAFF, provider)


def test_a_revoked_membership_takes_effect_at_once(app, make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    admin.memberships[0].is_active = False
    assert not can(admin, Action.MANAGE_ENTERPRISE_INVITATIONS, enterprise)


def test_employees_cannot_invite_partners(app, make):
    employee = make.user(Role.EMPLOYEE)
    with pytest.raises(Forbidden):
        services.invite(actor=employee, role=Role.PLATFORM_ADMIN, login="x@example.com",
                        now=utcnow(), link_builder=str)


def test_invitations_need_a_scope_that_fits_the_role(app, make):
    admin = make.user(Role.PLATFORM_ADMIN)
    with pytest.raises(InvalidInput):
        services.invite(actor=admin, role=Role.ENTERPRISE_ADMIN, login="x@example.com",
                        now=utcnow(), link_builder=str)


def test_token_lifetime_and_scopes_are_checked(app, make):
    user = make.user(Role.EMPLOYEE)
    with pytest.raises(InvalidInput):
        tokens.create_api_token(user, name="x", scopes=["read"], expires_in_days=0,
                                now=utcnow())
    with pytest.raises(InvalidInput):
        tokens.create_api_token(user, name="x", scopes=["admin"], expires_in_days=5,
                                now=utcnow())
    token, raw = tokens.create_api_token(user, name="x", scopes=["read"], expires_in_days=5,
                                         now=utcnow())
    assert tokens.authenticate_token(raw, now=utcnow()) is token
    assert tokens.authenticate_token(raw, now=utcnow() + timedelta(days=6)) is None
