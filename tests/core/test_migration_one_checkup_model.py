"""Migration 0027 moves a family member's check-up into the one check-up table and the
campaign check-up's pointer with it, on SQLite and on PostgreSQL, and the downgrade moves
both back: nobody's results are lost or swapped on the way."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, Numeric, String, Text, text

from core.db import UTCDateTime, db
from marketplace import create_app
from tests.conftest import base_config
from tests.core.test_migrations import empty_database_url  # noqa: F401 (the fixture)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _filler(column):
    kind = column.type
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, UTCDateTime | DateTime):
        return NOW
    if isinstance(kind, Date):
        return date(2026, 12, 1)
    if isinstance(kind, Integer | Numeric):
        return 1
    if isinstance(kind, String | Text):
        return "x"
    return "x"


def _insert(connection, metadata, table: str, **values) -> None:
    """A row with ``values`` and a plain value in every other required column (foreign
    keys are off: only the rows this story reads exist)."""
    target = metadata.tables[table]
    row = {c.name: _filler(c) for c in target.columns
           if not c.nullable and c.server_default is None and not c.primary_key}
    connection.execute(target.insert().values(**(row | values)))


def _foreign_keys_off(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA foreign_keys=OFF"))
    else:
        connection.execute(text("SET session_replication_role = replica"))


def test_a_family_member_s_results_move_into_the_one_table_and_back(empty_database_url):  # noqa: F811
    app = create_app(base_config(empty_database_url))
    with app.app_context():
        upgrade(revision="0026")
        metadata = MetaData()
        metadata.reflect(db.engine)
        with db.engine.begin() as connection:
            _foreign_keys_off(connection)
            _insert(connection, metadata, "health_checkups", user_id=7, data="own-ciphertext")
            own_id = connection.execute(text("SELECT id FROM health_checkups")).scalar_one()
            _insert(connection, metadata, "health_dependant_checkups", id=1, user_id=7,
                    dependant_id=3, data="spouse-ciphertext")
            _insert(connection, metadata, "prevention_checkups", id=10, booking_id=100,
                    user_id=7, dependant_id=None, health_checkup_id=own_id,
                    dependant_checkup_id=None)
            _insert(connection, metadata, "prevention_checkups", id=11, booking_id=101,
                    user_id=7, dependant_id=3, health_checkup_id=None,
                    dependant_checkup_id=1)

        upgrade(revision="0027")
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, dependant_id, data FROM health_checkups ORDER BY id")).all()
            pointers = dict(connection.execute(text(
                "SELECT id, health_checkup_id FROM prevention_checkups")).all())
        [own, spouse] = rows
        assert (own.dependant_id, own.data) == (None, "own-ciphertext")
        assert (spouse.dependant_id, spouse.data) == (3, "spouse-ciphertext")
        assert pointers == {10: own.id, 11: spouse.id}

        downgrade(revision="0026")
        with db.engine.connect() as connection:
            own_rows = connection.execute(text("SELECT id, data FROM health_checkups")).all()
            family = connection.execute(text(
                "SELECT id, dependant_id, data FROM health_dependant_checkups")).all()
            pointers = {r.id: (r.health_checkup_id, r.dependant_checkup_id)
                        for r in connection.execute(text(
                            "SELECT id, health_checkup_id, dependant_checkup_id "
                            "FROM prevention_checkups"))}
        assert [tuple(r) for r in own_rows] == [(own_id, "own-ciphertext")]
        assert [tuple(r) for r in family] == [(spouse.id, 3, "spouse-ciphertext")]
        assert pointers == {10: (own_id, None), 11: (None, spouse.id)}
        downgrade(revision="base")
        db.engine.dispose()
