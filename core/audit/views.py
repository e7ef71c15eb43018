"""The audit log's pages: the platform admin's search, and each person's own activity."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from core.accounts.models import User
from core.accounts.services import find_user_by_login
from core.audit.actions import detail_items, label_for, roles_label, scopes_label, target_label
from core.audit.forms import AuditSearchForm
from core.audit.models import AuditEvent
from core.audit.services import AuditFilter, about_owner, search
from core.clock import zone_of
from core.db import db
from core.errors import InvalidInput
from core.policy import Action, require

bp = Blueprint("audit", __name__)

# Globals, not context: the events table is a macro imported without the page's context.
bp.add_app_template_global(label_for, "action_label")
bp.add_app_template_global(roles_label, "roles_label")
bp.add_app_template_global(target_label, "target_label")
bp.add_app_template_global(detail_items, "audit_details")
bp.add_app_template_global(scopes_label, "scopes_label")

PER_PAGE = 50


def _actor_id(text: str | None) -> int | None:
    """A user id from what the admin typed: an id, or a login (0 when nobody has it)."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return None
    if text.isdigit():
        return int(text) if int(text) < 2**31 else 0
    try:
        user = find_user_by_login(text)
    except InvalidInput:
        return 0
    return user.id if user else 0


def _page(statement: Select[AuditEvent],
          page: int) -> tuple[Sequence[AuditEvent], bool, dict[int, str]]:
    rows = db.session.scalars(statement.limit(PER_PAGE + 1)
                              .offset((page - 1) * PER_PAGE)).all()
    events, has_next = rows[:PER_PAGE], len(rows) > PER_PAGE
    ids = {e.actor_id for e in events} | {e.subject_user_id for e in events}
    ids.discard(None)
    names = dict(db.session.execute(select(User.id, User.display_name)
                                    .where(User.id.in_(ids))).all()) if ids else {}
    return events, has_next, names


@bp.route("/admin/audit")
@login_required
def search_page() -> ResponseReturnValue:
    require(current_user, Action.VIEW_AUDIT_LOG)
    form = AuditSearchForm(request.args)
    valid = form.validate()
    query = AuditFilter(
        actor_id=_actor_id(form.actor.data), action=(form.action.data or "").strip() or None,
        target_type=(form.target_type.data or "").strip() or None,
        target_id=(form.target_id.data or "").strip() or None,
        on_or_after=form.date_from.data, on_or_before=form.date_to.data) if valid \
        else AuditFilter()
    page = form.page.data or 1 if valid else 1
    events, has_next, names = _page(search(query, zone=zone_of()),
                                    page)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("audit/search.html", form=form, events=events, names=names,
                           page=page, has_next=has_next, args=args), 200 if valid else 400


@bp.route("/account/activity")
@login_required
def my_activity() -> ResponseReturnValue:
    page = request.args.get("page", 1, type=int)
    page = page if 1 <= page <= 100_000 else 1
    events, has_next, names = _page(about_owner(current_user), page)
    return render_template("audit/mine.html", events=events, names=names, page=page,
                           has_next=has_next, args={})
