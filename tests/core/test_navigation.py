"""The shell's navigation, per role: the tab bar (three to five main places, each a page the
role may open), the "me" page listing every other place, and the current tab marked."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from core.accounts.models import ProviderLevel, Role
from core.navigation import TABS, current_tab, more_for, nav_for, tabs_for

OWNER = {"provider_level": ProviderLevel.OWNER}
EMPLOYEE_TABS = ["marketplace.home", "marketplace.catalogue_page", "booking.my_bookings",
                 "health.overview", "marketplace.me"]


def tab_links(html: str) -> list[tuple[str, bool]]:
    """(href, current) of each link of the tab bar."""
    bar = re.search(r'<nav class="tabbar"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return [(m.group(1), "aria-current" in m.group(0))
            for m in re.finditer(r'<a href="([^"]+)"[^>]*>', bar)]


def test_every_role_has_three_to_five_tabs_ending_with_me():
    assert set(TABS) == set(Role)
    for role, tabs in TABS.items():
        assert 3 <= len(tabs) <= 5, role
        assert tabs[-1].endpoint == "marketplace.me", role
        assert len({t.endpoint for t in tabs}) == len(tabs), role


def test_the_employees_tabs_are_home_services_bookings_health_me(app, make):
    employee = make.user(Role.EMPLOYEE)
    with app.test_request_context():
        tabs = tabs_for(employee.active_memberships[0])
        assert [t.endpoint for t, _ in tabs] == EMPLOYEE_TABS
        with force_locale("en"):
            assert [str(t.label) for t, _ in tabs] == ["Home", "Services", "Bookings",
                                                       "Health", "Me"]


@pytest.mark.parametrize(("role", "extra"), [
    (Role.EMPLOYEE, {}), (Role.PROVIDER_STAFF, OWNER), (Role.PROVIDER_STAFF, {}),
    (Role.COMMITTEE_MEMBER, {}), (Role.ENTERPRISE_ADMIN, {}), (Role.PLATFORM_ADMIN, {}),
])
def test_each_tab_and_each_other_place_opens_for_the_role(app, client, make, auth, role, extra):
    user = make.user(role, **extra)
    auth.login(user.email)
    home = client.get("/")
    assert home.status_code == 200
    links = tab_links(home.text)
    assert 3 <= len(links) <= 5
    for href, _current in links:
        assert client.get(href).status_code == 200, href
    me = client.get("/me")
    assert me.status_code == 200
    with app.test_request_context():
        membership = user.active_memberships[0]
        tab_endpoints = {t.endpoint for t, _ in tabs_for(membership)}
        others = more_for(membership)
        assert not {e.endpoint for e, _ in others} & tab_endpoints
        # every place of the role is a tab or on the "me" page: nothing is lost
        assert {e.endpoint for e, _ in nav_for(membership)} <= (
            tab_endpoints | {e.endpoint for e, _ in others})
    for entry, _args in others:
        assert f">{entry.label}<" in me.text


def test_the_current_tab_is_marked_for_screen_readers(client, make, auth):
    employee = make.user(Role.EMPLOYEE)
    auth.login(employee.email)
    assert [c for _h, c in tab_links(client.get("/").text)] == [True, False, False, False,
                                                                 False]
    assert [c for _h, c in tab_links(client.get("/bookings").text)] == [False, False, True,
                                                                         False, False]
    page = client.get("/me").text
    assert [c for _h, c in tab_links(page)] == [False, False, False, False, True]
    assert re.search(r'<nav class="tabbar" aria-label="[^"]+"', page)


def test_a_page_under_a_tab_marks_that_tab(app, make):
    employee = make.user(Role.EMPLOYEE)
    with app.test_request_context():
        tabs = tabs_for(employee.active_memberships[0])
        assert current_tab(tabs, "marketplace.service_page").endpoint == (
            "marketplace.catalogue_page")
        assert current_tab(tabs, "booking.book").endpoint == "marketplace.catalogue_page"
        assert current_tab(tabs, "booking.booking_detail").endpoint == "booking.my_bookings"
        assert current_tab(tabs, "prevention.my_checkups").endpoint == "health.overview"
        assert current_tab(tabs, "accounts.account").endpoint == "marketplace.me"
        assert current_tab(tabs, None) is None


def test_the_employees_other_places_are_one_tap_away_in_chinese(client, make, auth):
    employee = make.user(Role.EMPLOYEE)
    auth.login(employee.email)
    client.post("/locale", data={"locale": "zh_CN", "next": "/"})
    page = client.get("/me").text
    for label in ("我的", "我的福利预算", "园区活动"):
        assert label in page, label
    assert "首页" in page and "服务" in page and "预约" in page and "健康" in page
