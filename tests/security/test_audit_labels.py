"""People read their security activity, and admins the audit log, as sentences in their own
language; the stable action code stays in the API (``action``) beside its ``label``."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from markupsafe import escape

from benefits.models import TransactionKind
from core.accounts.models import Role
from core.audit import hooks
from core.audit.actions import ACTION_LABELS, TARGET_LABELS, label_for, roles_label
from core.db import db
from marketplace import hardening


def _label(code: str, locale: str) -> str:
    with force_locale(locale):
        return label_for(code)


def test_the_owner_sees_what_happened_to_their_account_in_words(client, make, auth):
    user = make.user(Role.EMPLOYEE)
    user.locale = "en"
    db.session.commit()
    client.post("/login", data={"login": user.email, "password": "wrong"})
    auth.login(user.email)

    page = client.get("/account/activity")

    assert page.status_code == 200
    for sentence in ("Failed sign-in attempt", "Signed in", "Account created", "Role granted"):
        assert sentence in page.text
    assert "<code>auth.login.failed</code>" not in page.text  # no codes for the owner


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_each_person_reads_them_in_their_own_language(client, make, auth, locale):
    user = make.user(Role.EMPLOYEE)
    user.locale = locale
    db.session.commit()
    auth.login(user.email)

    page = client.get("/account/activity")

    assert str(escape(_label("auth.login.succeeded", locale))) in page.text
    assert str(escape(_label("membership.granted", locale))) in page.text


def test_the_api_keeps_the_code_and_adds_the_label(client, make):
    user = make.user(Role.EMPLOYEE)
    user.locale = "en"
    db.session.commit()
    token = make.token(user)

    items = client.get("/api/v1/me/audit-events",
                       headers={"Authorization": f"Bearer {token}"}).get_json()["items"]

    by_code = {i["action"]: i["label"] for i in items}
    assert by_code["account.created"] == "Account created"
    assert by_code["token.created"] == "API token created"
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"action", "label"} <= set(schema["AuditEventOut"]["required"])


def test_admins_see_the_sentence_the_code_and_the_role_in_words(client, make, auth):
    admin = make.user(Role.PLATFORM_ADMIN)
    admin.locale = "en"
    somebody = make.user(Role.EMPLOYEE)
    db.session.commit()
    auth.login(somebody.email)
    auth.logout()
    auth.login(admin.email)

    page = client.get("/admin/audit", query_string={"action": "auth.login.succeeded"})

    assert "Signed in" in page.text and "<code>auth.login.succeeded</code>" in page.text
    assert '<span class="muted small">Employee</span>' in page.text  # not "employee"
    created = client.get("/admin/audit", query_string={"action": "account.created"})
    assert '<span title="user">Account</span>' in created.text  # what it is about, in words


def test_every_action_the_app_records_has_a_label(app):
    """Endpoint rules (exports among them) and money movements are registered as data; the
    row watchers' codes are listed in docs/security.md's table, which ``ACTION_LABELS``
    follows."""
    rules = hooks.registry(app).endpoints.values()
    recorded = {action for rule in rules for action in rule.actions.values()}
    recorded |= {f"money.{kind.value}" for kind in hardening.AUDITED_MONEY}
    assert {"export.health.export", "auth.login.failed"} <= recorded, (
        "the hooks registered nothing: the test would prove nothing")
    assert recorded - set(ACTION_LABELS) == set()
    assert TransactionKind.FUNDING in hardening.AUDITED_MONEY


def test_an_unknown_code_is_shown_as_itself_and_roles_in_words(app):
    with force_locale("en"):
        assert label_for("something.new") == "something.new"
        assert roles_label("committee_member,employee") == "Committee member, Employee"
        assert roles_label("not_a_role") == "not_a_role"
        assert roles_label(None) == ""


def test_everything_an_entry_can_be_about_has_a_label(app):
    """The types the hooks and exports record, as data, all read as words."""
    recorded = {rule.target_type for rule in hooks.registry(app).endpoints.values()
                if rule.target_type}
    assert {"budget_programme", "health_profile"} <= recorded
    recorded |= {"user", "membership", "invitation", "api_token", "provider", "practitioner",
                 "credential", "ledger_transaction", "budget_programme", "audit_log"}
    assert recorded - set(TARGET_LABELS) == set()


def test_an_entry_s_details_read_as_words_not_codes(app):
    details = {"role": "provider_staff", "provider_level": "owner", "provider_id": 7,
               "enterprise_id": None, "password_changed": True, "amount_minor": 12_345,
               "from": "confirmed", "scopes": "read write"}
    with app.test_request_context(), force_locale("zh_CN"):
        from core.audit.actions import detail_items
        shown = dict(detail_items(details))
    assert shown["角色"] == "服务机构人员" and shown["级别"] == "负责人"
    assert shown["变更前"] == "已确认"
    assert shown["已修改密码"] == "是"
    assert "企业" not in shown  # an empty value is left out
    assert shown["服务机构"] == "#7"
    assert "123.45" in shown["金额"]
    assert "_" not in "".join(shown) + "".join(shown.values())
    assert "read" not in shown["权限范围"] and "write" not in shown["权限范围"]
