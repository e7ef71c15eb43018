"""Credentials: documents checked by content, reviews, and expiry that delists."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest

from core.accounts.models import ProviderStatus, Role
from core.db import db
from providers import verification
from providers.errors import CredentialAlreadyReviewed, DocumentTooLarge, InvalidDocument
from providers.models import CredentialStatus, VerificationStatus
from tests.providers.conftest import NOW

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(("content", "name", "kind"), [
    (PDF, "licence.pdf", "application/pdf"), (PNG, "scan.PNG", "image/png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 8, "photo.jpeg", "image/jpeg"),
])
def test_documents_are_typed_by_their_content(content, name, kind):
    assert verification.sniff_document(content, name) == kind


@pytest.mark.parametrize(("content", "name", "error"), [
    (PNG, "licence.pdf", InvalidDocument), (b"MZ\x90\x00", "licence.pdf", InvalidDocument),
    (b"", "licence.pdf", InvalidDocument),
    (b"%PDF-" + b"0" * verification.MAX_DOCUMENT_BYTES, "big.pdf", DocumentTooLarge),
])
def test_mistyped_empty_and_oversized_documents_are_refused(content, name, error):
    with pytest.raises(error):
        verification.sniff_document(content, name)


def submit(kit, *, expires_on=date(2027, 6, 30), practitioner="default"):
    return verification.submit_credential(
        kit.provider, actor=kit.owner,
        practitioner=kit.practitioner if practitioner == "default" else practitioner,
        licence_type="医师执业证书", licence_number="110310000123", issuer="上海市卫健委",
        expires_on=expires_on, content=PDF, filename="licence.pdf", now=NOW)


def test_approving_a_practitioner_credential_verifies_the_practitioner(kit, make):
    kit.practitioner.status = VerificationStatus.PENDING
    committee = make.user(Role.COMMITTEE_MEMBER, park=kit.park)
    credential = submit(kit)
    verification.review_credential(credential, actor=committee, approve=True, reason="",
                                   now=NOW)
    assert kit.practitioner.status is VerificationStatus.VERIFIED
    with pytest.raises(CredentialAlreadyReviewed):
        verification.review_credential(credential, actor=committee, approve=False,
                                       reason="late", now=NOW)


def test_a_rejection_needs_a_reason(kit, make):
    committee = make.user(Role.COMMITTEE_MEMBER, park=kit.park)
    with pytest.raises(Exception, match="invalid_input"):
        verification.review_credential(submit(kit), actor=committee, approve=False,
                                       reason=" ", now=NOW)


def test_an_expired_licence_is_not_accepted(kit):
    with pytest.raises(Exception, match="invalid_input"):
        submit(kit, expires_on=date(2026, 9, 1))


def test_the_daily_job_reminds_30_days_before_and_delists_on_expiry(kit, make, outbox):
    credential = submit(kit, practitioner=None, expires_on=date(2026, 10, 15))
    credential.status = CredentialStatus.APPROVED
    make.commit()
    early = datetime(2026, 9, 10, tzinfo=UTC)
    assert verification.expire_credentials(now=early) == {"reminded": 0, "expired": 0}
    reminder_day = datetime(2026, 9, 15, 2, tzinfo=UTC)
    assert verification.expire_credentials(now=reminder_day) == {"reminded": 1, "expired": 0}
    db.session.commit()
    assert len(outbox) == 1 and "2026年10月15日" in outbox[0].body  # Babel, not ISO
    assert verification.expire_credentials(now=reminder_day) == {"reminded": 0, "expired": 0}

    after = datetime(2026, 10, 15, 16, 30, tzinfo=UTC)  # 00:30 on the 16th in Shanghai
    assert verification.expire_credentials(now=after)["expired"] == 1
    assert credential.status is CredentialStatus.EXPIRED
    assert kit.provider.status is ProviderStatus.PENDING


def test_expiry_keeps_a_practitioner_listed_when_another_licence_covers_them(kit):
    old, new = submit(kit, expires_on=date(2026, 9, 30)), submit(kit)
    old.status = new.status = CredentialStatus.APPROVED
    verification.expire_credentials(now=NOW + timedelta(days=40))
    assert old.status is CredentialStatus.EXPIRED
    assert kit.practitioner.status is VerificationStatus.VERIFIED


def test_uploading_through_the_page(client, auth, kit, make):
    make.commit()
    auth.login(kit.owner.email)
    url = f"/providers/{kit.provider.id}/credentials"
    form = {"practitioner_id": str(kit.practitioner.id), "licence_type": "执业证",
            "licence_number": "A-1", "issuer": "卫健委", "expires_on": "2030-01-01"}
    bad = client.post(url, data=form | {"document": (io.BytesIO(b"MZ..."), "licence.pdf")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422
    good = client.post(url, data=form | {"document": (io.BytesIO(PDF), "licence.pdf")},
                       content_type="multipart/form-data")
    assert good.status_code == 302
    page = client.get(url)
    assert "A-1" in page.get_data(as_text=True)
