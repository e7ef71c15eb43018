"""HTML pages for signing in and out, signing up, invitations, password reset, the
language switcher, account settings, role switching and API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm

from core.accounts import services, signin_limits, tokens
from core.accounts.errors import UnsupportedLocale
from core.accounts.forms import (
    AcceptInvitationForm,
    AccountForm,
    ForgotPasswordForm,
    JoinWithInvitationForm,
    LocaleForm,
    LoginForm,
    PlainForm,
    ResetPasswordForm,
    SignupForm,
    SwitchRoleForm,
    TokenForm,
)
from core.audit.hooks import audited, login_failure_extra, sign_in_extra, signed_in_extra
from core.clock import utcnow
from core.db import db
from core.errors import DomainError
from core.extensions import limiter
from core.web import ACTIVE_MEMBERSHIP_KEY, refuse, sign_in

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so that ``?next=`` cannot send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("marketplace.home")


def _login_rate_limit() -> str:
    limit: str = current_app.config["LOGIN_RATE_LIMIT"]
    return limit


def _signup_rate_limit() -> str:
    limit: str = current_app.config["SIGNUP_RATE_LIMIT"]
    return limit


@bp.route("/login", methods=["GET", "POST"])
@audited("POST", {302: "auth.login.succeeded", 401: "auth.login.failed",
                  429: "auth.throttled"}, more=sign_in_extra)
def login() -> ResponseReturnValue:
    """Signing in, within the sign-in limits (core.accounts.signin_limits): failures only,
    per account and per address, and a page that says when to try again."""
    if current_user.is_authenticated:
        return redirect(url_for("marketplace.home"))
    form = LoginForm()
    if form.validate_on_submit():
        device = request.cookies.get(signin_limits.DEVICE_COOKIE)
        try:
            user = signin_limits.sign_in_with_password(
                login=form.login.data or "", password=form.password.data or "",
                address=request.remote_addr or "",
                trusted_accounts=signin_limits.device_accounts(device), now=utcnow())
        except signin_limits.SignInThrottled as exc:
            refuse(exc)
            return render_template("accounts/login.html", form=form), 429, exc.headers
        except DomainError as exc:
            refuse(exc)
            return render_template("accounts/login.html", form=form), 401
        sign_in(user, remember=form.remember.data)
        response = redirect(_safe_next(request.args.get("next")))
        response.set_cookie(
            signin_limits.DEVICE_COOKIE,
            signin_limits.device_cookie_after_sign_in(device, form.login.data or ""),
            max_age=signin_limits.DEVICE_COOKIE_DAYS * 24 * 3600, httponly=True,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False), samesite="Lax")
        return response
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    if PlainForm().validate_on_submit():
        logout_user()
        locale = session.get("locale")
        session.clear()
        if locale:
            session["locale"] = locale
        flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/signup", methods=["GET", "POST"])
@audited("POST", {302: "account.signed_up", 429: "auth.throttled"}, more=signed_in_extra)
@limiter.limit(_signup_rate_limit, methods=["POST"])
def signup() -> ResponseReturnValue:
    form = SignupForm(invite_code=request.args.get("code", ""))
    if form.validate_on_submit():
        try:
            user = services.sign_up_with_invite_code(
                invite_code=form.invite_code.data or "", login=form.login.data or "",
                password=form.password.data or "", display_name=form.display_name.data or "",
                now=utcnow(), locale=session.get("locale"))
        except DomainError as exc:
            refuse(exc)
            return render_template("accounts/signup.html", form=form), exc.status
        sign_in(user)
        flash(_("Welcome to ParkWell, %(name)s!", name=user.display_name), "success")
        return redirect(url_for("marketplace.home"))
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


def _new_account_fields(form: FlaskForm) -> dict[str, str]:
    """The name and password typed by someone without an account (none when signed in)."""
    if not isinstance(form, AcceptInvitationForm):
        return {}
    return {"display_name": form.display_name.data or "", "password": form.password.data or ""}


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    now = utcnow()
    invitation = services.open_invitation(token, now=now)
    signed_in = current_user.is_authenticated
    form = JoinWithInvitationForm() if signed_in else AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                token, now=now, user=current_user if signed_in else None,
                **_new_account_fields(form))
        except DomainError as exc:
            refuse(exc)
            return render_template("accounts/invitation.html", form=form,
                                   invitation=invitation), exc.status
        if not signed_in:
            sign_in(user)
        flash(_("You are now %(role)s.", role=invitation.role.label), "success")
        return redirect(url_for("marketplace.home"))
    return render_template("accounts/invitation.html", form=form, invitation=invitation), (
        400 if form.errors else 200)


@bp.route("/password/forgot", methods=["GET", "POST"])
@audited("POST", {302: "account.password_reset_requested", 429: "auth.throttled"},
         more=login_failure_extra)
@limiter.limit(_login_rate_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(
            login=form.login.data or "",
            link_builder=lambda t: url_for("accounts.reset_password", token=t, _external=True))
        flash(_("If an account with this login exists, we have emailed it a link to choose "
                "a new password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    services.user_for_reset_token(token)  # refuses bad links before anyone types
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, password=form.password.data or "")
        flash(_("Your password has been changed. Please sign in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200


@bp.route("/locale", methods=["POST"])
def switch_locale() -> ResponseReturnValue:
    form = LocaleForm()
    target = _safe_next(form.next.data)
    if not form.validate_on_submit():
        flash(_("This language is not supported."), "error")
        return redirect(target)
    try:
        locale = services.check_locale(form.locale.data or "")
    except UnsupportedLocale as exc:
        refuse(exc)
        return redirect(target)
    session["locale"] = locale
    if current_user.is_authenticated:
        services.set_locale(current_user, locale=locale)
    return redirect(target)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = (form.display_name.data or "").strip()
        services.set_locale(current_user, locale=form.locale.data)
        session["locale"] = form.locale.data
        flash(_("Your settings have been saved."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form,
                           role_form=SwitchRoleForm()), 400 if form.errors else 200


@bp.route("/account/role", methods=["POST"])
@login_required
def switch_role() -> ResponseReturnValue:
    form = SwitchRoleForm()
    if form.validate_on_submit():
        try:
            membership = services.membership_of(current_user, form.membership_id.data or 0)
        except DomainError as exc:
            refuse(exc)
        else:
            session[ACTIVE_MEMBERSHIP_KEY] = membership.id
            flash(_("You are now acting as %(role)s.", role=membership.role.label), "success")
            return redirect(url_for("marketplace.home"))
    return redirect(url_for("accounts.account"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens() -> ResponseReturnValue:
    form = TokenForm()
    created = None
    status = 200
    if form.validate_on_submit():
        try:
            _token, created = tokens.create_api_token(
                current_user, name=form.name.data or "", scopes=form.scopes.data or [],
                expires_in_days=form.expires_in_days.data or 0, now=utcnow())
        except DomainError as exc:
            refuse(exc)
            status = exc.status
        else:
            flash(_("Token created. Copy it now: it will not be shown again."), "success")
            db.session.flush()
    elif form.errors:
        status = 400
    return render_template(
        "accounts/tokens.html", form=form, created=created, revoke_form=PlainForm(),
        tokens=db.session.scalars(tokens.user_tokens_query(current_user)).all(),
        now=utcnow()), status


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id: int) -> ResponseReturnValue:
    if PlainForm().validate_on_submit():
        tokens.revoke_api_token(current_user, token_id=token_id, now=utcnow())
        flash(_("The token has been revoked."), "success")
    return redirect(url_for("accounts.api_tokens"))
