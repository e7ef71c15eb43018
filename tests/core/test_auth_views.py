"""Signing in and out, signing up, invitations, password reset, throttling and CSRF."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from core.accounts import services
from core.accounts.models import ApiToken, Invitation, Role, User
from core.clock import utcnow
from core.db import db
from tests.conftest import require_redis
from tests.factories import PASSWORD


def test_login_page_speaks_chinese_by_default_and_english_on_request(client):
    assert "登录" in client.get("/login").text
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Sign in" in english.text and "登录" not in english.text


def test_employee_signs_in_with_email_or_mobile(client, make, auth):
    user = make.user(Role.EMPLOYEE, mobile="+8613812345678")
    assert auth.login(user.email).status_code == 302
    assert client.get("/").status_code == 200
    auth.logout()
    assert auth.login("138 1234 5678").headers["Location"] == "/"


def test_wrong_password_is_refused_with_a_translated_message(client, make, auth):
    user = make.user(Role.EMPLOYEE)
    response = auth.login(user.email, "not the password")
    assert response.status_code == 401
    assert "账号或密码不正确" in response.text
    assert client.get("/").status_code == 302  # still signed out


def test_unknown_login_gets_the_same_answer_as_a_wrong_password(auth):
    response = auth.login("nobody@example.com", "whatever-password")
    assert response.status_code == 401
    assert "账号或密码不正确" in response.text


def test_deactivated_account_cannot_sign_in_and_its_sessions_end(client, make, auth):
    user = make.user(Role.EMPLOYEE)
    auth.login(user.email)
    assert client.get("/").status_code == 200
    services.deactivate_user(db.session.get(User, user.id))
    db.session.commit()
    assert client.get("/").status_code == 302
    assert auth.login(user.email).status_code == 401


def test_signing_in_starts_a_fresh_session(client, make, auth):
    user = make.user(Role.EMPLOYEE)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["locale"] = "en"
    auth.login(user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["locale"] == "en"  # the chosen language survives


def test_session_cookie_is_http_only_and_same_site(client, make, auth):
    user = make.user(Role.EMPLOYEE)
    response = auth.login(user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_next_parameter_cannot_send_people_to_another_site(client, make):
    user = make.user(Role.EMPLOYEE)
    response = client.post("/login?next=//evil.example/", data={
        "login": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_employee_signs_up_with_the_enterprise_invite_code(client, make):
    enterprise = make.enterprise()
    response = client.post("/signup", data={
        "invite_code": enterprise.invite_code.lower(), "login": "Xiao.Ming@Example.com",
        "display_name": "小明", "password": "a-long-password", "confirm": "a-long-password"})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).filter_by(email="xiao.ming@example.com"))
    assert [m.role for m in user.memberships] == [Role.EMPLOYEE]
    assert user.memberships[0].enterprise_id == enterprise.id


def test_sign_up_refuses_a_wrong_code_and_a_taken_email(client, make):
    taken = make.user(Role.EMPLOYEE)
    enterprise = make.enterprise()
    form = {"login": "new@example.com", "display_name": "新人", "password": "a-long-password",
            "confirm": "a-long-password"}
    wrong_code = client.post("/signup", data={**form, "invite_code": "NOPE"})
    assert wrong_code.status_code == 404 and "邀请码无效" in wrong_code.text
    duplicate = client.post("/signup", data={**form, "invite_code": enterprise.invite_code,
                                             "login": taken.email})
    assert duplicate.status_code == 409 and "已注册" in duplicate.text


def test_sign_up_refuses_mismatched_passwords(client, make):
    enterprise = make.enterprise()
    response = client.post("/signup", data={
        "invite_code": enterprise.invite_code, "login": "a@example.com", "display_name": "A",
        "password": "a-long-password", "confirm": "another-password"})
    assert response.status_code == 400
    assert "两次输入的密码不一致" in response.text


def test_enterprise_admin_invites_an_employee_who_accepts_once(client, make, auth, outbox):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    auth.login(admin.email)
    page = client.post(f"/enterprises/{enterprise.id}/invitations",
                       data={"login": "li.lei@example.com"})
    assert page.status_code == 200
    assert len(outbox) == 1 and outbox[0].to == "li.lei@example.com"
    link = next(word for word in outbox[0].body.split() if "/invitations/" in word)
    path = link.split("parkwell.test", 1)[1]
    auth.logout()

    assert client.get(path).status_code == 200
    accepted = client.post(path, data={"display_name": "李雷", "password": "a-long-password",
                                       "confirm": "a-long-password"})
    assert accepted.status_code == 302
    user = db.session.scalar(db.select(User).filter_by(email="li.lei@example.com"))
    assert user.memberships[0].role is Role.EMPLOYEE
    assert user.memberships[0].enterprise_id == enterprise.id

    client.post("/logout")
    reused = client.get(path)
    assert reused.status_code == 404 and "已被使用" in reused.text


def test_an_expired_invitation_is_refused(client, make):
    admin = make.user(Role.PLATFORM_ADMIN)
    _invitation, raw = services.invite(actor=admin, role=Role.COMMITTEE_MEMBER,
                                       login="c@example.com", park_id=make.default_park().id,
                                      now=utcnow() - timedelta(days=30),
                                      link_builder=lambda t: t)
    db.session.commit()
    assert client.get(f"/invitations/{raw}").status_code == 404


def test_signed_in_person_adds_an_invited_role_to_their_account(client, make, auth):
    admin = make.user(Role.PLATFORM_ADMIN)
    employee = make.user(Role.EMPLOYEE)
    _invitation, raw = services.invite(actor=admin, role=Role.COMMITTEE_MEMBER,
                                       login=employee.email, park_id=make.default_park().id,
                                       now=utcnow(), link_builder=lambda t: t)
    db.session.commit()
    auth.login(employee.email)
    assert client.post(f"/invitations/{raw}").status_code == 302
    roles = {m.role for m in db.session.get(User, employee.id).memberships}
    assert roles == {Role.EMPLOYEE, Role.COMMITTEE_MEMBER}


def test_an_invitation_for_someone_else_cannot_be_taken(client, make, auth):
    admin = make.user(Role.PLATFORM_ADMIN)
    other = make.user(Role.EMPLOYEE)
    _invitation, raw = services.invite(actor=admin, role=Role.PLATFORM_ADMIN,
                                       login="boss@example.com", now=utcnow(),
                                       link_builder=lambda t: t)
    db.session.commit()
    auth.login(other.email)
    response = client.post(f"/invitations/{raw}")
    assert response.status_code == 409
    assert not db.session.get(User, other.id).has_role(Role.PLATFORM_ADMIN)


def test_enterprise_admin_cannot_invite_into_another_enterprise(client, make, auth):
    admin = make.user(Role.ENTERPRISE_ADMIN)
    other = make.enterprise()
    auth.login(admin.email)
    response = client.post(f"/enterprises/{other.id}/invitations", data={"login": "x@example.com"})
    assert response.status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(Invitation)) == 0


def test_platform_admin_invites_a_provider_owner(client, make, auth):
    admin = make.user(Role.PLATFORM_ADMIN)
    provider = make.provider()
    auth.login(admin.email)
    response = client.post("/admin/invitations", data={
        "login": "owner@clinic.example", "role": "provider_staff", "provider_id": provider.id,
        "provider_level": "owner"})
    assert response.status_code == 200
    invitation = db.session.scalar(db.select(Invitation))
    assert invitation.provider_id == provider.id and invitation.provider_level.value == "owner"


def test_password_reset_by_emailed_link_works_once(client, make, outbox):
    user = make.user(Role.EMPLOYEE)
    response = client.post("/password/forgot", data={"login": user.email})
    assert response.status_code == 302
    link = next(word for word in outbox[0].body.split() if "/password/reset/" in word)
    path = link.split("parkwell.test", 1)[1]
    assert client.post(path, data={"password": "brand-new-secret",
                                   "confirm": "brand-new-secret"}).status_code == 302
    assert client.post("/login", data={"login": user.email,
                                       "password": "brand-new-secret"}).status_code == 302
    used_again = client.get(path)
    assert used_again.status_code == 404 and "无效或已过期" in used_again.text


def test_password_reset_says_the_same_for_unknown_accounts(client, outbox):
    response = client.post("/password/forgot", data={"login": "ghost@example.com"},
                           follow_redirects=True)
    assert "如果该账号存在" in response.text
    assert outbox == []


def test_a_forged_reset_link_is_refused(client):
    assert client.get("/password/reset/not-a-real-token").status_code == 404


def test_language_switcher_remembers_the_choice_and_refuses_unknown_ones(client, make, auth):
    response = client.post("/locale", data={"locale": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert "Sign in" in client.get("/login").text
    refused = client.post("/locale", data={"locale": "fr", "next": "/login"},
                          follow_redirects=True)
    assert refused.status_code == 200 and "not supported" in refused.text


def test_a_signed_in_persons_language_follows_them(client, make, auth):
    user = make.user(Role.EMPLOYEE)
    auth.login(user.email)
    client.post("/account", data={"display_name": "Amy", "locale": "en"})
    assert db.session.get(User, user.id).locale == "en"
    assert "Hello, Amy" in client.get("/", headers={"Accept-Language": "zh-CN"}).text


def test_person_with_two_roles_switches_between_them(client, make, auth):
    user = make.user(Role.EMPLOYEE)
    committee = services.add_membership(user, role=Role.COMMITTEE_MEMBER,
                                        park_id=make.default_park().id, now=utcnow())
    db.session.commit()
    auth.login(user.email)
    assert "员工" in client.get("/me").text
    client.post("/account/role", data={"membership_id": committee.id})
    assert "您当前的身份是园区委员会成员" in client.get("/").text


def test_switching_to_a_role_one_does_not_hold_is_refused(client, make, auth):
    user = make.user(Role.EMPLOYEE)
    stranger = make.user(Role.PLATFORM_ADMIN)
    auth.login(user.email)
    response = client.post("/account/role", data={"membership_id": stranger.memberships[0].id},
                           follow_redirects=True)
    assert "您没有这个角色" in response.text


def test_tokens_page_shows_a_new_token_once_and_revokes_it(client, make, auth):
    user = make.user(Role.EMPLOYEE)
    auth.login(user.email)
    page = client.post("/account/tokens", data={"name": "手机", "scopes": ["read"],
                                                "expires_in_days": 30})
    assert page.status_code == 200 and "pw_" in page.text
    token_id = db.session.scalar(db.select(ApiToken.id).filter_by(user_id=user.id))
    client.post(f"/account/tokens/{token_id}/revoke")
    assert "已撤销" in client.get("/account/tokens").text


def test_tokens_page_shows_when_each_token_was_last_used(client, make, auth):
    """The page says what the API's ``last_used_at`` says: a person spots a token they forgot."""
    user = make.user(Role.EMPLOYEE)
    used, _unused = make.token(user), make.token(user)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {used}"}).status_code == 200
    auth.login(user.email)
    cells = re.findall(r'data-label="最近使用">([^<]*)<', client.get("/account/tokens").text)
    assert len(cells) == 2 and cells.count("尚未使用") == 1
    [last_use] = [cell for cell in cells if cell != "尚未使用"]
    assert any(char.isdigit() for char in last_use), last_use


class TestThrottling:
    @pytest.fixture
    def config_overrides(self):
        return {"RATELIMIT_ENABLED": True, "SIGNIN_FAILURES_PER_ACCOUNT_AT_ADDRESS": 3}

    def test_repeated_failed_logins_are_throttled(self, client):
        for _ in range(3):
            client.post("/login", data={"login": "a@example.com", "password": "wrong-one"})
        response = client.post("/login", data={"login": "a@example.com", "password": "x"})
        assert response.status_code == 429
        assert "登录失败次数过多，请在 1 分钟后再试" in response.text


class TestCsrf:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_form_post_without_its_csrf_token_is_refused(self, client, make):
        user = make.user(Role.EMPLOYEE)
        response = client.post("/login", data={"login": user.email, "password": PASSWORD})
        assert response.status_code == 400
        assert "表单已过期" in response.text

    def test_the_token_api_needs_no_csrf_token(self, client, make):
        user = make.user(Role.EMPLOYEE)
        response = client.post("/api/v1/tokens", json={
            "name": "app", "login": user.email, "password": PASSWORD})
        assert response.status_code == 201


class TestThrottlingOnRedis:
    """With ``REDIS_URL`` the limits live in Redis, shared by every server process."""

    @pytest.fixture
    def config_overrides(self):
        url = require_redis()
        return {"RATELIMIT_ENABLED": True, "SIGNIN_FAILURES_PER_ACCOUNT_AT_ADDRESS": 2,
                "RATELIMIT_STORAGE_URI": url,
                "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}

    def test_failed_logins_are_counted_in_redis(self, client):
        for _ in range(2):
            client.post("/login", data={"login": "b@example.com", "password": "wrong-one"})
        response = client.post("/login", data={"login": "b@example.com", "password": "x"})
        assert response.status_code == 429
