"""Sign-up and invitations through the API (issue 19's parity): what the sign-up page, the
invitation pages and the invitation link do, a mobile client does with JSON."""

from __future__ import annotations

from sqlalchemy import func, select

from core.accounts.models import Invitation, Membership, ProviderLevel, Role, User
from core.db import db
from tests.core.test_api import assert_error, bearer


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_an_employee_signs_up_with_the_invite_code_and_then_gets_a_token(client, make):
    enterprise = make.enterprise()
    made = client.post("/api/v1/signup", json={
        "invite_code": enterprise.invite_code.lower(), "login": "li.na@example.com",
        "display_name": "李娜", "password": "a long secret", "locale": "zh_CN"})
    assert made.status_code == 201, made.get_json()
    me = made.get_json()
    assert me["display_name"] == "李娜" and me["locale"] == "zh_CN"
    assert [(m["role"], m["scope_id"]) for m in me["memberships"]] == [
        ("employee", enterprise.id)]
    token = client.post("/api/v1/tokens", json={
        "name": "phone", "login": "li.na@example.com", "password": "a long secret"})
    assert token.status_code == 201


def test_a_wrong_invite_code_or_a_taken_login_makes_no_account(client, make):
    enterprise = make.enterprise()
    taken = make.user(Role.EMPLOYEE)
    users = _count(User)
    body = {"invite_code": "NOPE1234", "login": "new@example.com", "display_name": "新人",
            "password": "a long secret"}
    assert_error(client.post("/api/v1/signup", json=body), 404, "invite_code_invalid")
    assert_error(client.post("/api/v1/signup", json=body | {
        "invite_code": enterprise.invite_code, "login": taken.email}), 409, "login_taken")
    error = assert_error(client.post("/api/v1/signup", json=body | {
        "invite_code": enterprise.invite_code, "password": "short"}), 422, "invalid_input")
    assert "password" in error["fields"]
    assert _count(User) == users


def test_an_enterprise_admin_invites_and_the_invitee_accepts_with_a_new_account(client, make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    token = make.token(admin)
    sent = client.post(f"/api/v1/enterprises/{enterprise.id}/invitations",
                       json={"login": "zhao@example.com"}, headers=bearer(token))
    assert sent.status_code == 201, sent.get_json()
    invitation = sent.get_json()
    assert invitation["status"] == "open" and invitation["role"] == "employee"
    assert invitation["link"].startswith("http") and "/invitations/" in invitation["link"]
    listed = client.get(f"/api/v1/enterprises/{enterprise.id}/invitations",
                        headers=bearer(token)).get_json()["items"]
    assert [i["recipient"] for i in listed] == ["zhao@example.com"]
    assert "link" not in listed[0]  # the secret is shown once only

    raw = _token_of(invitation["link"])
    missing = assert_error(client.post("/api/v1/invitations/accept", json={"token": raw}),
                           422, "invalid_input")
    assert set(missing["fields"]) == {"display_name", "password"}
    assert db.session.scalar(select(User).filter_by(email="zhao@example.com")) is None

    joined = client.post("/api/v1/invitations/accept", json={
        "token": raw, "display_name": "赵强", "password": "a long secret"})
    assert joined.status_code == 200, joined.get_json()
    assert joined.get_json()["memberships"][0]["scope_id"] == enterprise.id
    assert_error(client.post("/api/v1/invitations/accept", json={
        "token": raw, "display_name": "赵强", "password": "a long secret"}),
        404, "invitation_invalid")


def test_a_signed_in_person_accepts_only_an_invitation_sent_to_them(client, make):
    provider = make.provider()
    owner = make.user(Role.PROVIDER_STAFF, provider=provider, provider_level=ProviderLevel.OWNER)
    invitee = make.user(Role.EMPLOYEE)
    stranger = make.user(Role.EMPLOYEE)
    sent = client.post(f"/api/v1/providers/{provider.id}/invitations",
                       json={"login": invitee.email}, headers=bearer(make.token(owner)))
    assert sent.status_code == 201
    raw = _token_of(sent.get_json()["link"])
    assert_error(client.post("/api/v1/invitations/accept", json={"token": raw},
                             headers=bearer(make.token(stranger))),
                 409, "invitation_for_someone_else")
    assert db.session.scalar(select(Invitation.accepted_at)) is None
    accepted = client.post("/api/v1/invitations/accept", json={"token": raw},
                           headers=bearer(make.token(invitee)))
    assert accepted.status_code == 200
    roles = {(m["role"], m["scope_id"]) for m in accepted.get_json()["memberships"]}
    assert ("provider_staff", provider.id) in roles


def test_only_those_who_manage_people_invite_and_a_refusal_writes_nothing(client, make):
    enterprise = make.enterprise()
    employee = make.user(Role.EMPLOYEE, enterprise=enterprise)
    staff = make.user(Role.PROVIDER_STAFF)
    assert_error(client.post(f"/api/v1/enterprises/{enterprise.id}/invitations",
                             json={"login": "x@example.com"},
                             headers=bearer(make.token(employee))), 403, "forbidden")
    provider_id = staff.memberships[0].provider_id
    assert_error(client.post(f"/api/v1/providers/{provider_id}/invitations",
                             json={"login": "x@example.com"},
                             headers=bearer(make.token(staff))), 403, "forbidden")
    assert_error(client.post("/api/v1/invitations", json={
        "login": "x@example.com", "role": "platform_admin"},
        headers=bearer(make.token(employee))), 403, "forbidden")
    assert _count(Invitation) == 0


def test_the_platform_admin_invites_a_committee_member_to_a_park(client, make):
    admin = make.user(Role.PLATFORM_ADMIN)
    park = make.park()
    token = make.token(admin)
    body = {"login": "13800138000", "role": "committee_member"}
    error = assert_error(client.post("/api/v1/invitations", json=body, headers=bearer(token)),
                         422, "invalid_input")
    assert "scope" in error["fields"]
    assert_error(client.post("/api/v1/invitations", json=body | {"park_id": 999999},
                             headers=bearer(token)), 404, "not_found")
    assert _count(Invitation) == 0
    sent = client.post("/api/v1/invitations", json=body | {"park_id": park.id},
                       headers=bearer(token))
    assert sent.status_code == 201
    assert sent.get_json()["park_id"] == park.id
    assert sent.get_json()["recipient"] == "+8613800138000"  # as the number is stored
    listed = client.get("/api/v1/invitations", headers=bearer(token)).get_json()["items"]
    assert [i["role"] for i in listed] == ["committee_member"]
    raw = _token_of(sent.get_json()["link"])
    joined = client.post("/api/v1/invitations/accept", json={
        "token": raw, "display_name": "周委员", "password": "a long secret"})
    assert joined.status_code == 200
    member = db.session.scalar(select(Membership).filter_by(role=Role.COMMITTEE_MEMBER))
    assert member.park_id == park.id
