"""Every action has one rule, declared by the package that owns it, and a rule refuses a
target it was not written for."""

from __future__ import annotations

import pytest

from core.accounts.models import Role
from core.errors import Forbidden, NotFound
from core.policy import Action, can, install_rules, installed_rules, require


def test_every_action_has_exactly_one_rule(app):
    rules = installed_rules(app)
    assert set(rules) == set(Action), f"no rule for {set(Action) - set(rules)}"
    assert all(rules[action].action is action for action in rules)


def test_a_second_rule_for_an_action_is_refused_when_the_app_is_made(app):
    with pytest.raises(RuntimeError, match="two rules"):
        install_rules(app, [installed_rules(app)[Action.BOOK_SERVICE]])


def test_the_rules_live_with_the_package_that_owns_the_action(app):
    owner = {action: rule.decide.__module__ for action, rule in installed_rules(app).items()}
    assert owner[Action.BOOK_SERVICE] == "booking.policy"
    assert owner[Action.MANAGE_BENEFITS] == "benefits.policy"
    assert owner[Action.REGISTER_FOR_EVENTS] == "park.policy"
    assert owner[Action.MANAGE_OWN_HEALTH] == "health.policy"
    assert owner[Action.ACT_AS_CARE_TEAM] == "care.policy"
    assert owner[Action.MANAGE_SCHEDULE] == "providers.policy"
    assert owner[Action.MODERATE_REVIEWS] == "marketplace.policy"
    assert not any(module.startswith("core") for action, module in owner.items()
                   if action in {Action.BOOK_SERVICE, Action.MANAGE_BENEFITS})


def test_a_rule_refuses_a_target_of_another_type(app, make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    assert can(admin, Action.MANAGE_BENEFITS, enterprise)
    assert not can(admin, Action.MANAGE_BENEFITS, enterprise.park)


def test_another_person_s_booking_is_not_found_and_one_s_own_is_allowed(app, make):
    enterprise = make.enterprise()
    me = make.user(Role.EMPLOYEE, enterprise=enterprise)
    colleague = make.user(Role.EMPLOYEE, enterprise=enterprise)
    admin = make.user(Role.PLATFORM_ADMIN)

    class Booking:  # anything with a client: a booking, a series, a waitlist place
        client_id = me.id

    assert can(me, Action.OWN_RECORD, Booking())
    with pytest.raises(NotFound):
        require(colleague, Action.OWN_RECORD, Booking())
    with pytest.raises(NotFound):  # not even a platform admin: it is one person's
        require(admin, Action.OWN_RECORD, Booking())
    with pytest.raises(Forbidden):
        require(colleague, Action.RECORD_FUNDING)
