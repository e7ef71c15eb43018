"""Production serving: pooling settings (also behind pgbouncer), gunicorn's settings from
the CPU count and the environment, app servers that keep nothing of their own, and calendar
feeds that answer a poll without rendering when nothing changed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from booking.models import Booking
from core import config
from core.accounts.models import Park, User
from core.clock import utcnow
from core.db import db
from demo.seed_scale import PARK_CODE, ScaleSize, seed_scale
from providers import feeds
from providers.models import ProviderProfile

PG = "postgresql://parkwell@db.internal/parkwell"


def test_each_process_keeps_a_small_pool_of_postgresql_connections_checked_when_idle():
    options = config.engine_options({"DATABASE_URL": PG, "DB_POOL_SIZE": "8"})
    assert options["pool_pre_ping"] is False, "core.connections pings the idle ones only"
    assert config.load_config({"DATABASE_URL": PG})["DB_PING_AFTER_IDLE_SECONDS"] == 10
    assert options["pool_size"] == 8
    assert options["max_overflow"] == 10
    assert options["pool_recycle"] == 1800


def test_behind_pgbouncer_in_transaction_mode_the_app_prepares_nothing_and_pools_nothing():
    options = config.engine_options({"DATABASE_URL": PG, "DB_PGBOUNCER": "transaction"})
    assert options["poolclass"] is NullPool
    assert options["connect_args"] == {"prepare_threshold": None}


def test_sqlite_gets_no_pool_settings_it_would_refuse():
    assert config.engine_options({"DATABASE_URL": "sqlite:///x.sqlite"}) == {
        "pool_pre_ping": True}


def test_gunicorn_sizes_itself_from_the_cpus_and_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    path = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (module.workers, module.threads, module.worker_class) == (3, 6, "gthread")
    assert module.worker_connections == 12, "a worker leaves connections to its siblings"
    monkeypatch.delenv("GUNICORN_WORKERS")
    spec.loader.exec_module(module)
    assert module.workers == 2 * module.cpus + 1


def test_production_never_writes_a_secret_key_file_of_its_own(monkeypatch, tmp_path):
    secret_file = tmp_path / "dev-secret-key"
    monkeypatch.setattr(config, "DEV_SECRET_FILE", secret_file)
    settings = config.load_config({"PARKWELL_ENV": "production", "SECRET_KEY": "shared"})
    assert settings["SECRET_KEY"] == "shared"
    config.load_config({"PARKWELL_ENV": "production"})
    assert not secret_file.exists(), "every app server must share SECRET_KEY from outside"


def _flagship_feed(now) -> tuple[str, int]:
    park = db.session.scalar(select(Park).where(Park.code == PARK_CODE))
    flagship = park.providers[0]
    owner = db.session.scalar(select(User).where(User.email.like("owner0001@%")))
    token = feeds.issue_provider_feed(db.session.get(ProviderProfile, flagship.id),
                                      actor=owner)
    db.session.commit()
    expected = db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.provider_id == flagship.id,
        Booking.starts_at >= feeds.feed_since(now),
        Booking.status.in_(["confirmed", "attended", "no_show", "cancelled_by_client"])))
    return f"/feeds/providers/{token}.ics", expected


def test_a_providers_feed_lists_its_bookings_and_a_poll_with_its_etag_renders_nothing(
        app, client, monkeypatch):
    now = utcnow()
    seed_scale(ScaleSize(employees=20, enterprises=2, providers=3, services=6, bookings=60,
                         days=10, past_days=3, feed_events=24), now=now)
    db.session.commit()
    path, expected = _flagship_feed(now)

    first = client.get(path)
    assert first.status_code == 200
    assert first.data.count(b"BEGIN:VEVENT") == expected > 0
    assert b"e0000" not in first.data, "no client's name or address in a provider's feed"

    def no_rendering(*_args, **_kwargs):
        raise AssertionError("a 304 must not render the calendar")

    monkeypatch.setattr(feeds, "render_calendar", no_rendering)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(path).data == first.data  # remembered, not rendered again
