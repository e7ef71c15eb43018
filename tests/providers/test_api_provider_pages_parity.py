"""What the provider's pages do, through the API (issue 19's parity): a licence upload, the
provider's photos, the calendar-feed addresses, a busy-time import and following one's own
calendar. Each is accepted, or refused with a stable code and nothing kept."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from urllib.parse import urlsplit

from PIL import Image
from sqlalchemy import func, select

from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from providers.models import (
    BusyTime,
    Credential,
    CredentialStatus,
    ProviderPhoto,
    ProviderProfile,
)
from tests.core.test_api import assert_error
from tests.providers.test_api import bearer


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _png(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (46, 125, 92)).save(out, "PNG")
    return out.getvalue()


LICENCE = {"licence_type": "医师执业证书", "licence_number": "110-2026-0001",
           "issuer": "上海市卫健委", "expires_on": "2030-06-30", "filename": "licence.pdf",
           "content_base64": _b64(b"%PDF-1.7\n% a scanned licence\n")}


def test_the_owner_sends_a_practitioners_licence_for_review_and_reads_it_back(
        client, make, kit):
    make.commit()
    headers = bearer(make, kit.owner)
    sent = client.post(f"/api/v1/providers/{kit.provider.id}/credentials",
                       json=LICENCE | {"practitioner_id": kit.practitioner.id}, headers=headers)
    assert sent.status_code == 201, sent.get_json()
    credential = sent.get_json()
    assert credential["status"] == "pending" and credential["document_type"] == "application/pdf"
    assert credential["practitioner_id"] == kit.practitioner.id
    document = client.get(f"/api/v1/credentials/{credential['id']}/document", headers=headers)
    assert document.status_code == 200 and document.data.startswith(b"%PDF-1.7")
    assert document.headers["Cache-Control"] == "private, no-store"
    listed = client.get(f"/api/v1/providers/{kit.provider.id}/credentials",
                        headers=headers).get_json()["items"]
    assert [c["licence_number"] for c in listed] == ["110-2026-0001"]
    assert db.session.get(Credential, credential["id"]).status is CredentialStatus.PENDING


def test_a_licence_that_is_not_a_document_or_has_expired_is_not_kept(client, make, kit):
    make.commit()
    headers = bearer(make, kit.owner)
    url = f"/api/v1/providers/{kit.provider.id}/credentials"
    assert_error(client.post(url, json=LICENCE | {"content_base64": _b64(b"MZ\x90 an exe")},
                             headers=headers), 422, "invalid_document")
    expired = assert_error(client.post(url, json=LICENCE | {"expires_on": "2020-01-01"},
                                       headers=headers), 422, "invalid_input")
    assert "expires_on" in expired["fields"]
    assert_error(client.post(url, json=LICENCE | {"content_base64": "not base64!"},
                             headers=headers), 422, "invalid_input")
    staff = make.user(Role.PROVIDER_STAFF, provider=kit.provider)
    assert_error(client.post(url, json=LICENCE, headers=bearer(make, staff)), 403, "forbidden")
    assert _count(Credential) == 0


def test_the_owner_adds_a_photo_and_removes_it(client, make, kit):
    make.commit()
    headers = bearer(make, kit.owner)
    added = client.post(f"/api/v1/providers/{kit.provider.id}/photos", headers=headers,
                        json={"content_base64": _b64(_png()), "alt_zh": "诊室", "alt_en": "Room"})
    assert added.status_code == 201, added.get_json()
    photo = added.get_json()
    assert photo["width"] <= 1200 and photo["small_webp"].endswith("small.webp")
    provider = client.get(f"/api/v1/providers/{kit.provider.id}", headers=headers).get_json()
    assert [p["id"] for p in provider["photos"]] == [photo["id"]]
    assert client.delete(f"/api/v1/photos/{photo['id']}", headers=headers).status_code == 204
    assert _count(ProviderPhoto) == 0
    assert_error(client.delete(f"/api/v1/photos/{photo['id']}", headers=headers),
                 404, "photo_not_found")


def test_a_file_that_is_not_a_photo_is_not_kept(client, make, kit):
    make.commit()
    refused = client.post(f"/api/v1/providers/{kit.provider.id}/photos",
                          json={"content_base64": _b64(b"GIF89a but not really")},
                          headers=bearer(make, kit.owner))
    assert_error(refused, 422, "invalid_photo")
    assert _count(ProviderPhoto) == 0


def test_feed_addresses_are_issued_replaced_and_revoked(client, make, kit):
    make.commit()
    headers = bearer(make, kit.owner)
    for path, public in ((f"/api/v1/providers/{kit.provider.id}/calendar-feed",
                          "/feeds/providers/"),
                         (f"/api/v1/practitioners/{kit.practitioner.id}/calendar-feed",
                          "/feeds/practitioners/")):
        first = client.post(path, headers=headers)
        assert first.status_code == 201
        url = first.get_json()["url"]
        assert public in url and url.endswith(".ics")
        assert client.get(urlsplit(url).path).status_code == 200
        second = client.post(path, headers=headers).get_json()["url"]
        assert second != url
        assert client.get(urlsplit(url).path).status_code == 404  # replaced
        assert client.delete(path, headers=headers).status_code == 204
        assert client.get(urlsplit(second).path).status_code == 404  # revoked


def test_staff_cannot_issue_the_providers_feed(client, make, kit):
    staff = make.user(Role.PROVIDER_STAFF, provider=kit.provider)
    make.commit()
    assert_error(client.post(f"/api/v1/providers/{kit.provider.id}/calendar-feed",
                             headers=bearer(make, staff)), 403, "forbidden")
    assert db.session.scalar(select(func.count()).where(
        ProviderProfile.feed_token_hash.is_not(None))) == 0


def _weekly_calendar() -> str:
    start = (utcnow() + timedelta(days=2)).strftime("%Y%m%dT090000")
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
            "UID:ward@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
            f"DTSTART;TZID=Asia/Shanghai:{start}\r\n"
            "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Ward round\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")


def test_a_practitioner_imports_busy_times_from_a_calendar_text(client, make, kit):
    make.commit()
    headers = bearer(make, kit.owner)
    started = client.post(f"/api/v1/practitioners/{kit.practitioner.id}/busy-imports",
                          json={"calendar": _weekly_calendar(), "filename": "ward.ics"},
                          headers=headers)
    assert started.status_code == 202, started.get_json()
    job = client.get(f"/api/v1/jobs/{started.get_json()['id']}", headers=headers).get_json()
    assert job["status"] == "succeeded" and job["result"]["imported"] == 4
    assert _count(BusyTime) == 4


def test_text_that_is_not_a_calendar_imports_nothing(client, make, kit):
    make.commit()
    refused = client.post(f"/api/v1/practitioners/{kit.practitioner.id}/busy-imports",
                          json={"calendar": "Monday: ward round"},
                          headers=bearer(make, kit.owner))
    assert_error(refused, 422, "invalid_calendar")
    assert _count(BusyTime) == 0


def test_a_practitioner_follows_their_own_calendar_and_stops(client, make, kit):
    make.commit()
    headers = bearer(make, kit.owner)
    path = f"/api/v1/practitioners/{kit.practitioner.id}/busy-calendar"
    followed = client.put(path, json={"url": "webcal://calendar.example.com/me.ics"},
                          headers=headers)
    assert followed.status_code == 200
    assert followed.get_json() == {"url": "https://calendar.example.com/me.ics"}
    refused = assert_error(client.put(path, json={"url": "ftp://calendar.example.com/x"},
                                      headers=headers), 422, "invalid_input")
    assert "busy_calendar_url" in refused["fields"]
    db.session.expire_all()
    assert kit.practitioner.busy_calendar_url == "https://calendar.example.com/me.ics"
    assert client.put(path, json={"url": None}, headers=headers).get_json() == {"url": None}
