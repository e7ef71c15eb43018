"""What an enterprise admin can work out from its campaign's completion report by changing
its roster or by subtracting departments from the total: nothing about one person."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from benefits import roster
from benefits.models import RosterEntry
from core.clock import utcnow
from core.db import db
from prevention import reports


def _book_all(kit, people, *, day: int = 3) -> None:
    for n, user in enumerate(people):
        kit.book(user, days=day + n // 8, hour=8 + n % 8)


def _entry(user) -> RosterEntry:
    return db.session.scalar(select(RosterEntry).where(RosterEntry.user_id == user.id))


def _table(done: reports.Completion) -> list:
    rows = [(g.label, g.eligible, g.booked, g.completed) for g in done.groups]
    total = done.total
    return [*rows, (total.label, total.eligible, total.booked, total.completed)]


def test_the_total_minus_the_departments_shown_never_gives_a_small_count(kit):
    research = [kit.person(department="研发部") for _ in range(7)]
    sales = [kit.person(department="销售部") for _ in range(6)]
    _book_all(kit, research[:6] + sales[:1])
    done = reports.completion(kit.campaign, now=utcnow())
    booked = {g.label: g.booked for g in done.groups}
    # sales booked once: hidden; research's six would give it away (7 - 6), so it goes too
    assert booked == {"研发部": None, "销售部": None}
    assert done.total.booked == 7
    # nobody completed yet: zero is a fact about everyone, so it is not shown either
    assert all(g.completed is None for g in done.groups) and done.total.completed is None


def test_moving_or_deactivating_one_person_changes_no_figure(kit):
    research = [kit.person(department="研发部") for _ in range(7)]
    sales = [kit.person(department="销售部") for _ in range(7)]
    _book_all(kit, research[:6] + sales[:5])
    victim = research[0]  # booked
    now = utcnow()
    before = _table(reports.completion(kit.campaign, now=now))
    live_before = _table(reports.live_completion(kit.campaign))
    db.session.commit()

    # the admin moves the person to another department...
    roster.update_entry(_entry(victim), department="销售部", grade="P5", actor=kit.admin)
    db.session.commit()
    assert _table(reports.live_completion(kit.campaign)) != live_before  # live would tell
    for later in (now + timedelta(hours=1), now + timedelta(days=1)):
        assert _table(reports.completion(kit.campaign, now=later)) == before
        db.session.commit()

    # ...then deactivates them, then takes them back
    roster.deactivate_leaver(_entry(victim), actor=kit.admin, now=now + timedelta(days=2))
    db.session.commit()
    assert _table(reports.completion(kit.campaign, now=now + timedelta(days=2))) == before
    db.session.commit()
    _entry(victim).is_active = True
    for membership in victim.memberships:
        membership.is_active = True
    db.session.commit()
    assert _table(reports.completion(kit.campaign, now=now + timedelta(days=3))) == before


def test_leavers_do_not_count_toward_a_group(kit):
    people = [kit.person(department="研发部") for _ in range(5)]
    roster.deactivate_leaver(_entry(people[0]), actor=kit.admin, now=utcnow())
    db.session.commit()
    done = reports.completion(kit.campaign, now=utcnow())
    assert done.groups == [] and done.total is None and done.groups_withheld


def test_the_campaign_page_says_fewer_than_k_instead_of_small_counts(client, auth, kit):
    people = [kit.person(department="研发部") for _ in range(6)]
    _book_all(kit, people[:2])
    auth.login(kit.admin.email)
    page = client.get(f"/campaigns/{kit.campaign.id}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    cells = page.text.split("<tbody>")[1].split("</tbody>")[0]
    values = re.findall(r"<td[^>]*>([^<]*)</td>", cells)  # each cell is labelled (data-label)
    assert "少于 5 人" in values and "2" not in values and "0" not in values


def test_a_reminder_to_fewer_than_k_does_not_say_how_many(client, auth, kit, make):
    people = [kit.person(department="研发部") for _ in range(6)]
    _book_all(kit, people[:3])  # three have not booked
    auth.login(kit.admin.email)
    page = client.post(f"/campaigns/{kit.campaign.id}/nudge", follow_redirects=True,
                       headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Reminders sent to fewer than 5 employees." in page.text
    assert "Reminders sent: 3" not in page.text
