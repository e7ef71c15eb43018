"""``flask health rotate-keys``: re-encrypt every health value with the current key."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import Column, Integer, Table, Text, column, select, table, update

from core.db import db
from health.crypto import EncryptedJSON, keyring

BATCH = 500

health_cli = AppGroup("health", help="Health data maintenance.")


def encrypted_columns() -> list[tuple[Table, Column]]:
    """Every column of every mapped table whose type is ``EncryptedJSON``, found in the
    metadata rather than listed by hand: a package that adds one (care's plans, messages,
    measurements) is rotated without anyone remembering to add it here. Each such table
    must have a single integer primary key ``id``."""
    found = []
    for tbl in db.metadata.sorted_tables:
        for col in tbl.columns:
            if isinstance(col.type, EncryptedJSON):
                found.append((tbl, col))
    return found


def rotate_keys() -> int:
    """Re-encrypt every encrypted value with the first key of HEALTH_DATA_KEYS. Works on the
    stored tokens (never on decrypted values), batch by batch. Returns how many values
    changed. The caller commits."""
    ring = keyring()
    changed = 0
    for tbl, col in encrypted_columns():
        # The raw tokens: a plain Text view of the column, so nothing is decrypted here.
        raw = table(tbl.name, column("id", Integer), column(col.name, Text))
        value = raw.c[col.name]
        last_id = 0
        while True:
            rows = db.session.execute(
                select(raw.c.id, value).where(raw.c.id > last_id)
                .order_by(raw.c.id).limit(BATCH)).all()
            if not rows:
                break
            for row_id, token in rows:
                if token is not None and not ring.is_current(token):
                    db.session.execute(update(raw).where(raw.c.id == row_id)
                                       .values({col.name: ring.rotate(token)}))
                    changed += 1
            last_id = rows[-1][0]
    return changed


@health_cli.command("rotate-keys")
def rotate_keys_command() -> None:
    """Re-encrypt all health data with the current (first) key. Safe to run again."""
    columns = encrypted_columns()
    changed = rotate_keys()
    db.session.commit()
    click.echo(f"Re-encrypted {changed} values with the current key "
               f"({len(columns)} encrypted columns: "
               f"{', '.join(f'{t.name}.{c.name}' for t, c in columns)}).")


def init_app(app: Flask) -> None:
    app.cli.add_command(health_cli)
