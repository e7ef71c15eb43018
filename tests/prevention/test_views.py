"""The campaign pages: the admin creates a campaign and sees its report, the employee books
through the form and reads the preparation, the provider uploads results and the employee
reads them explained, with the interpretation offered."""

from __future__ import annotations

from datetime import timedelta

from core.clock import to_zone, utcnow
from core.db import db
from prevention import services
from prevention.models import Campaign


def _past(checkup) -> None:
    """The check-up took place three hours ago (time passes)."""
    booking = checkup.booking
    shift = booking.starts_at - (utcnow() - timedelta(hours=3))
    booking.starts_at -= shift
    booking.ends_at -= shift
    booking.busy_from -= shift
    booking.busy_until -= shift
    checkup.day = to_zone(booking.starts_at, "Asia/Shanghai").date()
    db.session.commit()


def test_the_admin_creates_a_campaign_with_the_form(client, auth, kit):
    auth.login(kit.admin.email)
    url = f"/enterprises/{kit.enterprise.id}/campaigns"
    assert client.get(url).status_code == 200
    form = {"name_zh": "冬季体检", "name_en": "Winter check-ups", "year": kit.today.year,
            "service_id": kit.checkup_service.id, "programme_id": kit.programme.id,
            "interpretation_service_id": 0, "starts_on": kit.today.isoformat(),
            "ends_on": kit.today.isoformat(), "daily_capacity": 5, "location": "premises",
            "basic_name_zh": "基础", "basic_name_en": "Basic", "basic_price": "450",
            "basic_sex": "any", "enhanced_sex": "any"}
    created = client.post(url, data=form)
    assert created.status_code == 302
    campaign = db.session.scalar(db.select(Campaign).where(Campaign.name_en == "Winter check-ups"))
    assert campaign.packages[0].price_minor == 45_000
    reversed_dates = client.post(url, data=form | {
        "ends_on": (kit.today - timedelta(days=1)).isoformat()})
    assert reversed_dates.status_code == 422
    assert "活动结束日期不能早于开始日期" in reversed_dates.text  # zh_CN first


def test_an_employee_books_on_the_page_and_reads_how_to_prepare(client, auth, kit):
    user = kit.person()
    auth.login(user.email)
    day = to_zone(kit.slot(3), "Asia/Shanghai").date().isoformat()
    page = client.get(f"/me/checkups/campaigns/{kit.campaign.id}/book?on={day}")
    assert page.status_code == 200
    slot = f"{kit.practitioner.id}|{kit.slot(3, 9).isoformat()}"
    answer = client.post(f"/me/checkups/campaigns/{kit.campaign.id}/book?on={day}", data={
        "package_id": kit.package().id, "slot": slot, "dependant_id": 0,
        "results_consent": "y"})
    assert answer.status_code == 302
    confirmation = client.get(answer.headers["Location"])
    assert kit.campaign.preparation("en")[:30] in confirmation.text \
        or kit.campaign.preparation("zh")[:10] in confirmation.text


def test_a_package_that_does_not_fit_is_refused_on_the_page(client, auth, kit):
    user = kit.person(sex="male")
    auth.login(user.email)
    answer = client.post(f"/me/checkups/campaigns/{kit.campaign.id}/book", data={
        "package_id": kit.package("enhanced").id,
        "slot": f"{kit.practitioner.id}|{kit.slot(3, 9).isoformat()}", "dependant_id": 0})
    assert answer.status_code == 422
    assert services.unbooked_invitations(kit.campaign)  # nothing was booked


def test_results_uploaded_on_the_page_are_explained_to_the_employee(client, auth, kit):
    doctor = kit.service(title_en="Report interpretation")
    kit.campaign.interpretation_service_id = doctor.id
    user = kit.person()
    checkup = kit.book(user)
    _past(checkup)
    auth.login(kit.staff.email)
    url = f"/campaign-checkups/{checkup.id}/results"
    assert client.get(url).status_code == 200
    impossible = client.post(url, data={"format": "csv",
                                        "content": "weight,height\n900,170\n"})
    assert impossible.status_code == 422
    assert "weight" in impossible.text
    done = client.post(url, data={"format": "csv",
                                  "content": "systolic,diastolic,ldl\n142,92,4.3\n"})
    assert done.status_code == 302
    auth.logout()
    auth.login(user.email)
    page = client.get(f"/me/checkups/{checkup.id}")
    assert page.status_code == 200
    assert f"/services/{doctor.id}/book" in page.text
    assert "LDL-C" in page.text


def test_the_admin_page_shows_groups_never_names(client, auth, kit, app):
    app.config["REPORT_MIN_GROUP"] = 2
    people = [kit.person(department="研发部", display_name=f"员工甲{n}") for n in range(3)]
    kit.book(people[0])
    auth.login(kit.admin.email)
    page = client.get(f"/campaigns/{kit.campaign.id}")
    assert page.status_code == 200 and "研发部" in page.text
    assert not any(p.display_name in page.text for p in people)
    nudged = client.post(f"/campaigns/{kit.campaign.id}/nudge", follow_redirects=True)
    assert nudged.status_code == 200
    auth.logout()
    auth.login(people[1].email)
    assert "reminds you" in client.get("/me/checkups").text \
        or "提醒" in client.get("/me/checkups").text


def test_the_home_page_invites_to_book_and_later_points_to_the_results(client, auth, kit):
    user = kit.person()
    auth.login(user.email)
    home = client.get("/")
    assert f"/me/checkups/campaigns/{kit.campaign.id}/book" in home.text
    checkup = kit.book(user)
    _past(checkup)
    services.upload_results(checkup, actor=kit.staff, fmt="csv",
                            content="systolic,diastolic\n118,76\n", now=utcnow())
    db.session.commit()
    home = client.get("/")
    assert f"/me/checkups/campaigns/{kit.campaign.id}/book" not in home.text
    assert f"/me/checkups/{checkup.id}" in home.text
