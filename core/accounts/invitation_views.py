"""HTML pages where people invite others: an enterprise admin invites employees, a
provider owner invites staff, a platform admin invites partners."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, flash, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.accounts import queries, services
from core.accounts.forms import EnterpriseInviteForm, PartnerInviteForm, ProviderStaffInviteForm
from core.accounts.models import Enterprise, Park, ProviderLevel, ProviderOrganisation, Role
from core.clock import utcnow
from core.errors import DomainError
from core.forms import choices
from core.policy import Action, require
from core.web import refuse

bp = Blueprint("invitations", __name__)


def _link(token: str) -> str:
    return url_for("accounts.accept_invitation", token=token, _external=True)


def _send(form: EnterpriseInviteForm | ProviderStaffInviteForm | PartnerInviteForm,
          **invite_args: Any) -> tuple[str | None, int]:
    """Create the invitation; returns (link, status) for the page."""
    try:
        _invitation, raw = services.invite(actor=current_user, login=form.login.data or "",
                                           now=utcnow(), link_builder=_link, **invite_args)
    except DomainError as exc:
        refuse(exc)
        return None, exc.status
    flash(_("Invitation created. We have emailed it where we could; you can also share "
            "the link below."), "success")
    return _link(raw), 200


@bp.route("/enterprises/<int:enterprise_id>/invitations", methods=["GET", "POST"])
@login_required
def enterprise_invitations(enterprise_id: int) -> ResponseReturnValue:
    enterprise = queries.get_or_404(Enterprise, enterprise_id)
    require(current_user, Action.MANAGE_ENTERPRISE_INVITATIONS, enterprise)
    form = EnterpriseInviteForm()
    link, status = None, 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        link, status = _send(form, role=Role.EMPLOYEE, enterprise=enterprise)
    return render_template("accounts/invitations.html", form=form, link=link,
                           scope=enterprise,
                           invite_code=enterprise.invite_code,
                           invitations=queries.enterprise_invitations(enterprise),
                           now=utcnow()), status


@bp.route("/providers/<int:provider_id>/invitations", methods=["GET", "POST"])
@login_required
def provider_invitations(provider_id: int) -> ResponseReturnValue:
    provider = queries.get_or_404(ProviderOrganisation, provider_id)
    require(current_user, Action.MANAGE_PROVIDER_STAFF, provider)
    form = ProviderStaffInviteForm()
    link, status = None, 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        link, status = _send(form, role=Role.PROVIDER_STAFF, provider=provider,
                             provider_level=ProviderLevel.STAFF)
    return render_template("accounts/invitations.html", form=form, link=link,
                           scope=provider, invite_code=None,
                           invitations=queries.provider_invitations(provider),
                           now=utcnow()), status


def _scope_choices(scopes: Iterable[Enterprise | ProviderOrganisation | Park]) -> list[Any]:
    return choices([(0, "—")] + [(s.id, f"{s.name_zh} / {s.name_en}") for s in scopes])


@bp.route("/admin/invitations", methods=["GET", "POST"])
@login_required
def partner_invitations() -> ResponseReturnValue:
    require(current_user, Action.INVITE_PARTNERS)
    form = PartnerInviteForm()
    form.enterprise_id.choices = _scope_choices(queries.all_enterprises())
    form.provider_id.choices = _scope_choices(queries.all_providers())
    form.park_id.choices = _scope_choices(queries.all_parks())
    link, status = None, 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        role = Role(form.role.data)
        link, status = _send(
            form, role=role,
            enterprise=queries.get_or_404(Enterprise, form.enterprise_id.data)
            if role is Role.ENTERPRISE_ADMIN and form.enterprise_id.data else None,
            provider=queries.get_or_404(ProviderOrganisation, form.provider_id.data)
            if role is Role.PROVIDER_STAFF and form.provider_id.data else None,
            park_id=form.park_id.data if role is Role.COMMITTEE_MEMBER and form.park_id.data
            else None,
            provider_level=ProviderLevel(form.provider_level.data)
            if role is Role.PROVIDER_STAFF else None)
    return render_template("accounts/invitations.html", form=form, link=link, scope=None,
                           invite_code=None, invitations=queries.partner_invitations(),
                           now=utcnow()), status
