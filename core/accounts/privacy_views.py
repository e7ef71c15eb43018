"""The person's own copy of everything held about them (a readable page that prints well,
and JSON) and the deletion of their account (PIPL Art. 45–47). Thin: the services in
``core.accounts.personal_data`` decide."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from core.accounts import personal_data
from core.accounts.forms import DeleteAccountForm
from core.clock import utcnow
from core.db import db
from core.errors import DomainError

bp = Blueprint("privacy", __name__, url_prefix="/account")


@bp.route("/export")
@login_required
def export():
    now = utcnow()
    data = personal_data.export_account(current_user, now=now)
    titles = {s.key: str(s.title) for s in personal_data.sections()}
    return render_template("accounts/export.html", data=data, titles=titles, now=now), 200, \
        {"Cache-Control": "no-store"}


@bp.route("/export.json")
@login_required
def export_json():
    data = personal_data.export_account(current_user, now=utcnow())
    return Response(json.dumps(data, ensure_ascii=False, indent=2),
                    mimetype="application/json",
                    headers={"Content-Disposition":
                             "attachment; filename=parkwell-export.json",
                             "Cache-Control": "no-store"})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    now = utcnow()
    form = DeleteAccountForm()
    status = 200
    if form.validate_on_submit():
        try:
            personal_data.delete_account(current_user, password=form.password.data or "",
                                         confirmed=bool(form.confirm.data), now=now)
        except DomainError as exc:
            db.session.rollback()  # a refused deletion writes nothing
            flash(str(exc.message), "error")
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
