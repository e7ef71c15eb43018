"""Cover images: checked by their content, size-limited, stored with the event, served with
the right content type, and shown on the event pages and the events list."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from core.db import db
from park import covers
from park.errors import CoverInvalid, CoverTooLarge
from tests.park.factories import ParkKit


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def image(fmt: str = "PNG", size=(32, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, fmt)
    return out.getvalue()


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version}"
        session["_fresh"] = True


@pytest.mark.parametrize(("fmt", "name", "mime"), [("PNG", "cover.png", "image/png"),
                                                   ("JPEG", "cover.jpg", "image/jpeg"),
                                                   ("WEBP", "cover.webp", "image/webp")])
def test_an_image_is_accepted_by_its_content(kit, fmt, name, mime):
    event = kit.event()
    cover = covers.set_cover(event, actor=kit.committee, content=image(fmt), filename=name,
                             now=kit.now)
    assert (cover.content_type, cover.width, cover.height) == (mime, 32, 20)


@pytest.mark.parametrize(("content", "name"), [
    (b"GIF89a" + b"\0" * 40, "cover.gif"),  # not a type we take
    (b"%PDF-1.7 ...", "cover.png"),  # a document named as an image
    (image("PNG"), "cover.jpg"),  # the name claims another type
    (image("PNG")[:40], "cover.png"),  # the right magic, a broken image
    (b"", "cover.png"),
])
def test_what_is_not_an_image_we_take_is_refused(kit, content, name):
    with pytest.raises(CoverInvalid) as refused:
        covers.set_cover(kit.event(), actor=kit.committee, content=content, filename=name,
                         now=kit.now)
    assert "cover" in refused.value.fields


def test_a_cover_too_large_or_too_wide_is_refused(kit):
    with pytest.raises(CoverTooLarge):
        covers.sniff_cover(b"\x89PNG\r\n\x1a\n" + b"\0" * covers.MAX_COVER_BYTES, "a.png")
    with pytest.raises(CoverInvalid):
        covers.sniff_cover(image("PNG", size=(covers.MAX_SIDE + 1, 1)), "wide.png")


def test_the_committee_uploads_a_cover_that_employees_then_see(client, kit):
    event = kit.event()
    _sign_in(client, kit.committee)
    response = client.post(f"/park/events/{event.id}/cover",
                           data={"cover": (io.BytesIO(image()), "mooncake.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    refused = client.post(f"/park/events/{event.id}/cover",
                          data={"cover": (io.BytesIO(b"<svg onload=alert(1)>"), "x.png")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422

    _sign_in(client, kit.employee)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/cover" in page
    assert f"/events/{event.id}/cover" in client.get("/events").get_data(as_text=True)
    served = client.get(f"/events/{event.id}/cover")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == image()
    feed = client.get(f"/parks/{kit.park.code}/events.ics").get_data(as_text=True)
    assert "IMAGE;" in feed and f"/events/{event.id}/cover" in feed


def test_a_drafts_cover_is_not_public(client, kit):
    event = kit.event(publish=False)
    covers.set_cover(event, actor=kit.committee, content=image(), filename="", now=kit.now)
    db.session.commit()
    assert client.get(f"/events/{event.id}/cover").status_code == 404
    _sign_in(client, kit.committee)
    assert client.get(f"/events/{event.id}/cover").status_code == 200


def test_the_api_takes_a_base64_cover_and_refuses_bad_input(client, kit, make):
    event = kit.event()
    headers = {"Authorization": f"Bearer {make.token(kit.committee)}"}
    ok = client.post(f"/api/v1/events/{event.id}/cover", headers=headers, json={
        "filename": "c.png", "content_base64": base64.b64encode(image()).decode()})
    assert ok.status_code == 200 and ok.get_json()["cover_url"]
    bad = client.post(f"/api/v1/events/{event.id}/cover", headers=headers,
                      json={"content_base64": "not base64!!"})
    assert bad.status_code == 422
    fake = client.post(f"/api/v1/events/{event.id}/cover", headers=headers, json={
        "content_base64": base64.b64encode(b"MZ\x90\x00 an exe").decode()})
    assert fake.status_code == 422 and fake.get_json()["error"]["code"] == "cover_invalid"
