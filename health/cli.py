"""``flask health rotate-keys``: re-encrypt every health value with the current key."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import Integer, Text, column, select, table, update

from core.db import db
from health.crypto import keyring
from health.models import CheckUp, Dependant, HealthProfile, QuestionnaireResponse

ENCRYPTED_MODELS = (HealthProfile, CheckUp, QuestionnaireResponse, Dependant)
BATCH = 500

health_cli = AppGroup("health", help="Health data maintenance.")


def rotate_keys() -> int:
    """Re-encrypt every encrypted value with the first key of HEALTH_DATA_KEYS. Works on the
    stored tokens (never on decrypted values), batch by batch. Returns how many rows
    changed. The caller commits."""
    ring = keyring()
    changed = 0
    for model in ENCRYPTED_MODELS:
        # The raw tokens: a plain Text view of the table, so nothing is decrypted here.
        raw = table(model.__tablename__, column("id", Integer), column("data", Text))
        last_id = 0
        while True:
            rows = db.session.execute(
                select(raw.c.id, raw.c.data).where(raw.c.id > last_id)
                .order_by(raw.c.id).limit(BATCH)).all()
            if not rows:
                break
            for row_id, token in rows:
                if token is not None and not ring.is_current(token):
                    db.session.execute(update(raw).where(raw.c.id == row_id)
                                       .values(data=ring.rotate(token)))
                    changed += 1
            last_id = rows[-1][0]
    return changed


@health_cli.command("rotate-keys")
def rotate_keys_command() -> None:
    """Re-encrypt all health data with the current (first) key. Safe to run again."""
    changed = rotate_keys()
    db.session.commit()
    click.echo(f"Re-encrypted {changed} rows with the current key.")


def init_app(app: Flask) -> None:
    app.cli.add_command(health_cli)
