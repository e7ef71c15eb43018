"""Audit retention: ``flask audit prune`` deletes entries older than the retention period
(``AUDIT_RETENTION_DAYS``, 400 days by default, never under 180) and records that it did,
with how many. It is the one deliberate exception to the append-only log: on PostgreSQL
the trigger still refuses every other UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from core.audit import services as audit
from core.audit.models import POSTGRES_APPEND_ONLY, POSTGRES_DROP_APPEND_ONLY, AuditEvent
from core.clock import utcnow
from core.db import db
from marketplace import create_app
from tests.conftest import base_config, require_postgres


def _entries_aged(*days: int) -> None:
    now = utcnow()
    for age in days:
        audit.record("auth.login.failed", now=now - timedelta(days=age),
                     details={"login": f"aged-{age}"})
    db.session.commit()


def _logins_left() -> list[str]:
    return sorted(e.details["login"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.login.failed")))


def _pruned() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "audit.pruned")))


def test_old_entries_are_pruned_and_the_pruning_is_itself_recorded(app, runner):
    _entries_aged(800, 401, 399, 3)

    result = runner.invoke(args=["audit", "prune", "--older-than-days", "400"])

    assert result.exit_code == 0, result.output
    assert "pruned 2 audit entries older than 400 days" in result.output
    assert _logins_left() == ["aged-3", "aged-399"]
    [pruned] = _pruned()
    assert pruned.details["count"] == 2 and pruned.details["older_than_days"] == 400
    assert pruned.actor_id is None  # a command run by the operator, not a person's request


def test_the_retention_comes_from_the_configuration_by_default(app, runner):
    app.config["AUDIT_RETENTION_DAYS"] = 200
    _entries_aged(250, 150)

    assert runner.invoke(args=["audit", "prune"]).exit_code == 0

    assert _logins_left() == ["aged-150"]


def test_a_retention_shorter_than_six_months_is_refused(app, runner):
    _entries_aged(100)

    too_short = runner.invoke(args=["audit", "prune", "--older-than-days", "30"])
    assert too_short.exit_code == 2 and "180" in too_short.output
    app.config["AUDIT_RETENTION_DAYS"] = 90
    misconfigured = runner.invoke(args=["audit", "prune"])
    assert misconfigured.exit_code == 2 and "AUDIT_RETENTION_DAYS" in misconfigured.output

    assert _logins_left() == ["aged-100"] and _pruned() == []


# -- on PostgreSQL, with the trigger -------------------------------------------------------


def _refused(statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()


@pytest.mark.parametrize("backend", ["postgresql"])  # the trigger is PostgreSQL's
def test_only_the_prune_gets_past_the_trigger(app, runner, backend):
    _entries_aged(500, 5)
    db.session.execute(text(POSTGRES_APPEND_ONLY))
    db.session.commit()
    try:
        for statement in ("DELETE FROM audit_events", "UPDATE audit_events SET action = 'x'",
                          "TRUNCATE audit_events",
                          "DELETE FROM audit_events WHERE occurred_at < now() - "
                          "interval '400 days'"):
            _refused(statement)

        # the exception is the prune's own statement, and not the rest of its transaction
        audit.prune(older_than_days=400, now=utcnow())
        _refused("DELETE FROM audit_events")
        assert _logins_left() == ["aged-5", "aged-500"]  # rolled back with it

        assert runner.invoke(args=["audit", "prune"]).exit_code == 0
        assert _logins_left() == ["aged-5"]
        # a new transaction starts without the setting: plain deletes are refused again
        _refused("DELETE FROM audit_events")
        assert len(_pruned()) == 1
    finally:
        db.session.rollback()
        db.session.execute(text(POSTGRES_DROP_APPEND_ONLY))
        db.session.commit()


@pytest.fixture
def migrated_postgres() -> Iterator[str]:
    server = make_url(require_postgres())
    name = f"parkwell_audit_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_migrated_database_refuses_a_plain_delete_and_lets_the_prune_through(
        migrated_postgres):
    app = create_app(base_config(migrated_postgres))
    with app.app_context():
        upgrade(revision="0014")  # the trigger as migration 0014 installs it
        try:
            _entries_aged(450, 10)
            _refused("DELETE FROM audit_events")
            _refused("TRUNCATE audit_events")

            result = app.test_cli_runner().invoke(args=["audit", "prune"])

            assert result.exit_code == 0, result.output
            assert _logins_left() == ["aged-10"]
            assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2
            _refused("DELETE FROM audit_events")
        finally:
            db.session.remove()
            db.engine.dispose()


def test_pruning_can_archive_what_it_deletes_first(app, runner, tmp_path):
    import gzip
    import json

    _entries_aged(800, 401, 3)
    target = tmp_path / "audit-2025.jsonl.gz"

    result = runner.invoke(args=["audit", "prune", "--older-than-days", "400",
                                 "--archive", str(target)])

    assert result.exit_code == 0, result.output
    assert f"archived to {target}" in result.output
    with gzip.open(target, "rt", encoding="utf-8") as archive:
        lines = [json.loads(line) for line in archive]
    assert sorted(line["details"]["login"] for line in lines) == ["aged-401", "aged-800"]
    assert {"id", "occurred_at", "action", "actor_id", "ip"} <= set(lines[0])
    assert _logins_left() == ["aged-3"]
    [pruned] = _pruned()
    assert pruned.details["archived"] is True and pruned.details["count"] == 2
    assert not (tmp_path / "audit-2025.jsonl.gz.partial").exists()


def test_an_existing_archive_is_never_overwritten_and_nothing_is_deleted(app, runner, tmp_path):
    _entries_aged(800)
    target = tmp_path / "audit.jsonl"
    target.write_text("kept\n")

    result = runner.invoke(args=["audit", "prune", "--older-than-days", "400",
                                 "--archive", str(target)])

    assert result.exit_code != 0 and "exists" in result.output
    assert target.read_text() == "kept\n"
    assert _logins_left() == ["aged-800"]
