"""``parkwell setup park`` and ``parkwell setup admin``: the first steps of a real
installation (the demo park has ``parkwell seed``). After them the platform admin signs in
and invites the park's partners (enterprise admins, providers, committee members) from
*Invite partners*."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from core.accounts import services
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.errors import DomainError

setup_cli = AppGroup("setup", help="First steps of a real installation.")


@setup_cli.command("park")
@click.option("--code", required=True, help="A short code, e.g. ZJ-HITECH.")
@click.option("--name-zh", required=True, help="The park's name in Chinese.")
@click.option("--name-en", required=True, help="The park's name in English.")
@click.option("--timezone", default="Asia/Shanghai", show_default=True)
def setup_park_command(code: str, name_zh: str, name_en: str, timezone: str) -> None:
    """Create the park."""
    try:
        park = services.create_park(code=code, name_zh=name_zh, name_en=name_en,
                                    timezone=timezone, now=utcnow())
    except DomainError as exc:
        raise click.ClickException(f"{exc.code}: a park with code {code!r} exists") from exc
    db.session.commit()
    click.echo(f"park {park.code} created (id {park.id})")


@setup_cli.command("admin")
@click.option("--login", required=True, help="Email or Chinese mobile number.")
@click.option("--name", "display_name", required=True, help="The name shown to others.")
@click.password_option(envvar="PARKWELL_ADMIN_PASSWORD",
                       help="Asked for when not given (or PARKWELL_ADMIN_PASSWORD).")
def setup_admin_command(login: str, display_name: str, password: str) -> None:
    """Create a platform admin (or give an existing account the role)."""
    if len(password) < 12:
        raise click.ClickException("choose a password of at least 12 characters")
    now = utcnow()
    user = services.find_user_by_login(login)
    try:
        if user is None:
            user = services.create_user(login=login, password=password,
                                        display_name=display_name, now=now)
        services.add_membership(user, role=Role.PLATFORM_ADMIN, now=now)
    except DomainError as exc:
        raise click.ClickException(f"{exc.code}: {login!r}") from exc
    db.session.commit()
    click.echo(f"platform admin {login} ready: sign in and invite the park's partners")


def init_app(app: Flask) -> None:
    app.cli.add_command(setup_cli)
