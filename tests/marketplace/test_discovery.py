"""Discovery people trust: the provider's page for employees (and nothing unpublished on
it), photos uploaded by the provider (checked, resized, refused in the reader's language),
service cards that show the budget split, and a demo park with descriptions and pictures."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from benefits import budgets
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from demo.seed import seed_demo
from providers import photos
from providers.errors import InvalidPhoto, PhotoTooLarge, TooManyPhotos
from providers.models import ProviderPhoto, Service, VerificationStatus
from tests.benefits.factories import programme, put_on_roster
from tests.booking.factories import BookingKit


def picture(size=(800, 600), fmt="JPEG", exif=False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make; GPS would be as easy to leave behind
        image.save(out, fmt, exif=data)
    else:
        image.save(out, fmt)
    return out.getvalue()


@pytest.fixture
def shop(make):
    kit = BookingKit(make)
    kit.tuina = kit.service(title_zh="中医推拿理疗", title_en="TCM tuina therapy",
                            price_minor=20_000, description_zh="三代推拿",
                            description_en="Three generations of tuina")
    kit.hidden = kit.service(title_zh="未发布的服务", title_en="Unpublished service",
                             price_minor=10_000)
    kit.hidden.is_active = False
    pending = kit.add_practitioner("Dr Pending")
    pending.status = VerificationStatus.PENDING
    kit.user = put_on_roster(kit.enterprise, kit.employee())
    db.session.commit()
    return kit


def test_an_employee_sees_the_providers_page_without_what_is_unpublished(client, auth, shop):
    auth.login(shop.user.email)
    page = client.get(f"/providers/{shop.provider.id}")
    assert page.status_code == 200
    assert shop.provider.name_zh in page.text and "中医推拿理疗" in page.text
    assert "未发布的服务" not in page.text and "Dr Pending" not in page.text
    assert f'href="/services/{shop.tuina.id}"' in page.text
    assert f'href="/services/{shop.hidden.id}"' not in page.text
    # the service page leads to the provider's page
    service = client.get(f"/services/{shop.tuina.id}").text
    assert f'href="/providers/{shop.provider.id}"' in service


def test_another_parks_employee_does_not_find_the_provider(client, auth, make, shop):
    stranger = make.user(Role.EMPLOYEE, enterprise=make.enterprise(park=make.park()))
    auth.login(stranger.email)
    assert client.get(f"/providers/{shop.provider.id}").status_code == 404


def test_the_api_shows_the_public_part_with_photos_and_no_unpublished_service(
        client, make, shop):
    photos.add_photo(shop.provider, picture(), actor=shop.owner, alt_zh="诊室",
                     now=utcnow())
    db.session.commit()
    headers = {"Authorization": f"Bearer {make.token(shop.user)}"}
    body = client.get(f"/api/v1/providers/{shop.provider.id}", headers=headers).get_json()
    assert [s["title_en"] for s in body["services"]] == ["TCM tuina therapy"]
    assert "Dr Pending" not in [p["name_en"] for p in body["practitioners"]]
    [photo] = body["photos"]
    assert photo["alt"] == "诊室" and photo["small_webp"].endswith("/small.webp")
    assert client.get(photo["small_webp"]).status_code == 302  # a page session is needed
    paths = client.get("/api/v1/openapi.json").get_json()
    schema = paths["components"]["schemas"]["ProviderOut"]["properties"]["photos"]
    assert schema["maxItems"] == 8


def test_a_photo_is_resized_to_two_sizes_and_loses_its_metadata(app, shop):
    photo = photos.add_photo(shop.provider, picture((2400, 1000), exif=True),
                             actor=shop.owner, now=utcnow())
    assert (photo.width, photo.height) == (1200, 500)
    small = Image.open(io.BytesIO(photo.small_jpeg))
    assert small.size == (480, 360) and not small.getexif()
    assert Image.open(io.BytesIO(photo.small_webp)).format == "WEBP"
    assert len(photo.small_webp) < 30_000 and len(photo.large_jpeg) < 200_000


@pytest.mark.parametrize(("content", "error"), [
    (b"%PDF-1.4 not a photo", InvalidPhoto),
    (picture(fmt="GIF"), InvalidPhoto),
    (picture((200, 150)), InvalidPhoto),
    (b"\xff" * (photos.MAX_PHOTO_BYTES + 1), PhotoTooLarge),
])
def test_photos_that_are_not_photos_or_too_big_are_refused(app, shop, content, error):
    with pytest.raises(error):
        photos.add_photo(shop.provider, content, actor=shop.owner, now=utcnow())
    assert db.session.scalar(select(func.count(ProviderPhoto.id))) == 0


def test_at_most_eight_photos(app, shop):
    content = picture((480, 360))
    for _ in range(photos.MAX_PHOTOS):
        photos.add_photo(shop.provider, content, actor=shop.owner, now=utcnow())
    with pytest.raises(TooManyPhotos):
        photos.add_photo(shop.provider, content, actor=shop.owner, now=utcnow())


def test_the_owner_uploads_on_the_profile_page_and_a_refusal_is_in_chinese(client, auth,
                                                                           shop):
    auth.login(shop.owner.email)
    url = f"/providers/{shop.provider.id}/photos"
    refused = client.post(url, data={"photo": (io.BytesIO(b"hello"), "cat.jpg")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "无法识别此文件" in refused.text
    assert db.session.scalar(select(func.count(ProviderPhoto.id))) == 0
    done = client.post(url, data={"photo": (io.BytesIO(picture()), "clinic.jpg"),
                                  "alt_zh": "候诊区"}, content_type="multipart/form-data")
    assert done.status_code == 302
    photo = db.session.scalar(select(ProviderPhoto))
    image = client.get(f"/providers/photos/{photo.id}/small.webp")
    assert image.status_code == 200 and image.mimetype == "image/webp"
    profile = client.get(f"/providers/{shop.provider.id}/profile").text
    assert "候诊区" in profile and "上传照片" in profile


def test_staff_and_employees_cannot_upload(client, auth, shop):
    auth.login(shop.user.email)
    response = client.post(f"/providers/{shop.provider.id}/photos",
                           data={"photo": (io.BytesIO(picture()), "x.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code in (403, 404)
    assert db.session.scalar(select(func.count(ProviderPhoto.id))) == 0


def test_cards_show_what_the_budget_pays_and_what_is_left(client, auth, make, shop):
    plan = programme(make, shop.enterprise, amount_minor=15_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()
    auth.login(shop.user.email)
    for url in ("/catalogue?q=推拿", f"/providers/{shop.provider.id}"):
        page = client.get(url).text
        assert "预算 ¥150.00 · 自付 ¥50.00" in page, url
        assert "img/categories/tcm.svg" in page  # the category's picture until a photo
    photos.add_photo(shop.provider, picture(), actor=shop.owner, now=utcnow())
    db.session.commit()
    assert "/small.webp" in client.get("/catalogue?q=推拿").text


def test_without_a_budget_the_card_shows_the_price(client, auth, make, shop):
    auth.login(shop.user.email)
    page = client.get("/catalogue?q=推拿").text
    assert "¥200.00" in page and "自付" not in page


def test_home_category_tiles_have_pictures(client, auth, shop):
    auth.login(shop.user.email)
    page = client.get("/").text
    assert page.count('src="/static/img/categories/') >= 7


def test_every_demo_service_has_a_description_and_every_provider_a_picture(app):
    seed_demo(now=utcnow())
    db.session.commit()
    services = list(db.session.scalars(select(Service)))
    assert len(services) >= 19
    assert [s.title_en for s in services if not (s.description_zh and s.description_en)] == []
    covers = photos.first_photo_ids(sorted({s.provider_id for s in services}))
    assert set(covers) == {s.provider_id for s in services}
