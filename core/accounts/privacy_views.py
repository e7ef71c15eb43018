"""The person's own copy of everything held about them (a readable page that prints well,
and JSON) and the deletion of their account (PIPL Art. 45–47). Thin: the services in
``core.accounts.personal_data`` decide."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from core.accounts import personal_data
from core.accounts.forms import DeleteAccountForm
from core.audit.hooks import actor_is_subject, audited
from core.clock import utcnow
from core.errors import DomainError
from core.i18n import format_money, format_when
from core.protections import limit_account_deletion, limit_exports
from core.web import refuse

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _in_the_readers_language(record: dict[str, Any]) -> dict[str, Any]:
    """A name exported in both languages (``service`` and ``service_zh``) once, in the
    reader's."""
    chinese = str(get_locale() or "").startswith("zh")
    out = {}
    for key, item in record.items():
        if key.endswith("_zh") and key[:-3] in record:
            continue
        twin = record.get(f"{key}_zh")
        out[key] = twin if chinese and twin else item
    return out


def readable(value: object, currency: str | None = None, key: str = "") -> object:
    """The export as people read it: times in the park's zone and the reader's language,
    amounts in yuan (a record's ``*_minor`` values with its ``currency``), keys and coded
    values in words."""
    if isinstance(value, dict):
        value = _in_the_readers_language(value)
        money = value.get("currency") if isinstance(value.get("currency"), str) else currency
        return {personal_data.field_label(k): (
            format_money(v, money) if k.endswith("_minor") and isinstance(v, int) and money
            else readable(v, money, k)) for k, v in value.items() if k != "currency"}
    if isinstance(value, list):
        return [readable(v, currency, key) for v in value]
    if isinstance(value, str) and personal_data.has_value_labels(key):
        return personal_data.value_label(key, value)
    if isinstance(value, str) and _DATETIME.match(value):
        try:
            return format_when(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return value

bp = Blueprint("privacy", __name__, url_prefix="/account")


@bp.route("/export")
@audited("GET", {200: "export.privacy.export"}, target_type="user", more=actor_is_subject)
@limit_exports
@login_required
def export() -> ResponseReturnValue:
    now = utcnow()
    data = personal_data.export_account(current_user, now=now)
    sections = [(s.key, str(s.title), readable(data[s.key]))
                for s in personal_data.sections()]
    return render_template("accounts/export.html", sections=sections, now=now), 200, \
        {"Cache-Control": "no-store"}


@bp.route("/export.json")
@audited("GET", {200: "export.privacy.export_json"}, target_type="user", more=actor_is_subject)
@limit_exports
@login_required
def export_json() -> ResponseReturnValue:
    data = personal_data.export_account(current_user, now=utcnow())
    return Response(json.dumps(data, ensure_ascii=False, indent=2),
                    mimetype="application/json",
                    headers={"Content-Disposition":
                             "attachment; filename=parkwell-export.json",
                             "Cache-Control": "no-store"})


@bp.route("/delete", methods=["GET", "POST"])
@limit_account_deletion
@login_required
def delete() -> ResponseReturnValue:
    now = utcnow()
    form = DeleteAccountForm()
    status = 200
    if form.validate_on_submit():
        try:
            personal_data.delete_account(current_user, password=form.password.data or "",
                                         confirmed=bool(form.confirm.data), now=now)
        except DomainError as exc:
            refuse(exc)  # a refused deletion writes nothing
            for name, message in exc.fields.items():
                if name in form:
                    form[name].errors = [*form[name].errors, message]
            status = exc.status
        else:
            logout_user()
            flash(_("Your account has been deleted. What the park must keep (bookings, "
                    "payments and counts) no longer says who you were."), "success")
            return redirect(url_for("accounts.login"))
    elif form.errors:
        status = 400
    return render_template("accounts/delete.html", form=form,
                           blockers=personal_data.deletion_blockers(current_user, now=now)
                           if current_user.is_authenticated else []), status
