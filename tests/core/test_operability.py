"""What an operator relies on: request ids and timestamps in the logs (JSON on request), an
access line with the latency, /readyz telling what is wrong, Prometheus metrics that only
the monitoring can read, and a production server that will not start without its secret."""

from __future__ import annotations

import io
import json
import logging
import re
import time

import pytest
from sqlalchemy import text

from core import heartbeat, observability, readiness
from core.config import ASSET_ROOT
from core.db import db
from marketplace import create_app
from tests.conftest import base_config


@pytest.fixture
def stamped(app):
    """The database as ``parkwell migrate`` leaves it: alembic's version at the head."""
    heads = readiness.migration_heads(str(ASSET_ROOT / "migrations"))
    db.session.execute(text("CREATE TABLE IF NOT EXISTS alembic_version "
                            "(version_num VARCHAR(32) NOT NULL)"))
    db.session.execute(text("DELETE FROM alembic_version"))
    for head in heads:
        db.session.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
    db.session.commit()
    yield heads
    db.session.execute(text("DROP TABLE alembic_version"))
    db.session.commit()


@pytest.fixture
def private_instance(app, tmp_path):
    """A heartbeat of this test's own: a file in its own instance folder, not the Redis
    that other tests (and CI's other workers) share."""
    app.instance_path = str(tmp_path)
    app.config["REDIS_URL"] = None
    return tmp_path


def test_every_response_carries_a_request_id_and_a_sane_one_from_the_proxy_is_kept(client):
    fresh = client.get("/healthz").headers["X-Request-ID"]
    assert len(fresh) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-abc.123"}).headers[
        "X-Request-ID"] == "nginx-abc.123"
    forged = client.get("/healthz", headers={"X-Request-ID": "a b <script>"})
    assert forged.headers["X-Request-ID"] != "a b <script>"


def test_the_access_line_has_method_path_status_latency_and_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="parkwell.access"):
        client.get("/healthz", headers={"X-Request-ID": "trace-1"})
    record = next(r for r in caplog.records if r.name == "parkwell.access")
    assert record.getMessage().startswith("GET /healthz 200 ")
    assert record.getMessage().endswith("ms")
    assert record.request_id == "trace-1" and record.duration_ms >= 0


def test_json_logs_are_one_object_a_line_with_time_and_the_request_id(app, client):
    stream = io.StringIO()
    handler = observability.configure_logging(fmt="json", level="INFO", stream=stream)
    try:
        client.get("/healthz", headers={"X-Request-ID": "trace-json"})
    finally:
        logging.getLogger().removeHandler(handler)
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = next(e for e in entries if e["logger"] == "parkwell.access")
    assert access["request_id"] == "trace-json" and access["status"] == 200
    assert access["path"] == "/healthz" and "duration_ms" in access
    assert access["time"].endswith("+00:00") and "T" in access["time"]


def test_text_logs_start_with_a_timestamp_and_carry_the_request_id(app, client):
    stream = io.StringIO()
    handler = observability.configure_logging(fmt="text", level="INFO", stream=stream)
    try:
        client.get("/healthz", headers={"X-Request-ID": "trace-text"})
    finally:
        logging.getLogger().removeHandler(handler)
    line = next(x for x in stream.getvalue().splitlines() if "parkwell.access" in x)
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO ", line), line
    assert "[trace-text]" in line and "GET /healthz 200" in line


def test_readiness_fails_until_the_migrations_are_current(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["migrations"]["status"] == "fail"
    assert "parkwell migrate" in body["checks"]["migrations"]["hint"]
    assert body["checks"]["database"]["status"] == "ok"


def test_ready_once_migrated_and_a_worker_seen_but_a_silent_worker_only_warns(
        app, client, stamped, private_instance):
    body = client.get("/readyz").get_json()
    assert body["checks"]["migrations"]["status"] == "ok"
    assert body["checks"]["worker"]["status"] == "warn"  # no worker has ever run
    assert client.get("/readyz").status_code == 200  # app servers stay in service

    heartbeat.beat(app)
    assert client.get("/readyz").get_json()["checks"]["worker"]["status"] == "ok"

    heartbeat.beat(app, now=time.time() - 3600)
    late = client.get("/readyz").get_json()["checks"]["worker"]
    assert late["status"] == "warn" and late["last_seen_seconds_ago"] > 3000


def test_the_worker_beats_each_round(app, client, stamped, private_instance, monkeypatch):
    from core.jobs import worker

    monkeypatch.setattr(worker, "tick", lambda now=None: {})
    worker.run_worker(burst=True, interval=30)
    assert client.get("/readyz").get_json()["checks"]["worker"]["status"] == "ok"


def test_readiness_warns_while_bookable_days_reach_a_year_nobody_entered(app, client,
                                                                         stamped, make):
    from core.clock import utcnow
    from providers.models import HolidayYear

    app.config["HOLIDAY_HORIZON_DAYS"] = 2 * 365
    check = client.get("/readyz").get_json()["checks"]["holidays"]
    next_year = utcnow().year + 1
    assert check["status"] == "warn" and next_year in check["unknown_years"]
    assert client.get("/readyz").status_code == 200  # a warning, not out of service

    for year in check["unknown_years"]:  # the operator enters them from the notice
        db.session.add(HolidayYear(year=year, notice="", updated_at=utcnow()))
    db.session.commit()
    from providers.holidays import forget_operator_years

    forget_operator_years()
    assert client.get("/readyz").get_json()["checks"]["holidays"]["status"] == "ok"


def test_readiness_fails_when_the_configured_redis_does_not_answer(app, client, stamped):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"]["status"] == "fail"


def test_metrics_are_off_unless_enabled(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_without_a_token_answer_only_the_machine_itself(app, client):
    app.config["METRICS_ENABLED"] = True
    client.get("/healthz")
    local = client.get("/metrics")
    assert local.status_code == 200
    assert local.mimetype == "text/plain"
    assert 'parkwell_http_requests_total{endpoint="system.healthz"' in local.text
    assert "parkwell_http_request_duration_seconds_bucket" in local.text
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 403


def test_metrics_with_a_token_need_it_from_everyone(app, client):
    app.config.update(METRICS_ENABLED=True, METRICS_TOKEN="scrape-secret")
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"},
                      environ_base={"REMOTE_ADDR": "10.0.0.8"}).status_code == 200


def test_checks_name_what_a_production_server_lacks(app):
    from marketplace.checks import configuration_problems

    app.config.update(ENV_NAME="production", SQLALCHEMY_DATABASE_URI="sqlite://",
                      REDIS_URL=None)
    problems = " ".join(configuration_problems(app, env={}))
    for missing in ("SECRET_KEY", "HEALTH_DATA_KEYS", "PostgreSQL", "REDIS_URL", "MAIL_SERVER"):
        assert missing in problems
    app.config.update(ENV_NAME="development")
    assert configuration_problems(app, env={}) == []


def test_flask_checks_fails_on_an_unmigrated_database_and_says_why(app, runner):
    result = runner.invoke(args=["checks"])
    assert result.exit_code == 1
    assert "migrations" in result.output


def test_flask_checks_passes_on_a_migrated_database(app, runner, stamped, private_instance):
    result = runner.invoke(args=["checks"])
    assert result.exit_code == 0, result.output
    assert "all checks passed" in result.output


def test_probes_answer_plain_http_even_when_https_is_forced(monkeypatch):
    keys = {"HEALTH_DATA_KEYS": "t8TTs8yWwCBmJ8YLg6QYwlJqz8iEu3RkfmTmNsuaFQk="}
    app = create_app({**base_config("sqlite://"), **keys, "FORCE_HTTPS": True,
                      "TESTING": False, "METRICS_ENABLED": True, "JOBS_MODE": "inline"})
    client = app.test_client()
    assert client.get("/login").status_code == 302  # people are sent to HTTPS
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/readyz").status_code in (200, 503)
    assert client.get("/metrics").status_code == 200
