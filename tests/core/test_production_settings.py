"""Production refuses to start on unsafe settings (no SECRET_KEY, per-process rate limits
without Redis, password-reset links written to the log without a mail server), all named at
once; development and commands keep working. Row locks give up after ``lock_timeout`` and
the request answers "busy, try again" instead of 500."""

from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy import create_engine, text

from core.accounts.models import Role, User
from core.config import UnsafeSettings, load_config, unsafe_settings
from core.db import db
from marketplace import create_app
from tests.conftest import base_config, require_postgres

SAFE = {"PARKWELL_ENV": "production", "SECRET_KEY": "a-long-shared-secret",
        "REDIS_URL": "redis://127.0.0.1:6379/0", "MAIL_SERVER": "smtp.example.com",
        "HEALTH_DATA_KEYS": "t8TTs8yWwCBmJ8YLg6QYwlJqz8iEu3RkfmTmNsuaFQk="}


def production(**changes) -> dict:
    env = {**SAFE, **changes}
    return load_config({k: v for k, v in env.items() if v is not None})


def test_unsafe_production_settings_refuse_to_start(monkeypatch):
    # CI's own REDIS_URL is not the app's; a CLI test earlier in this process may have left
    # Flask's FLASK_RUN_FROM_CLI behind, which would make this look like a `flask` command.
    for name in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "SECRET_KEY", "MAIL_SERVER",
                 "FLASK_RUN_FROM_CLI"):
        monkeypatch.delenv(name, raising=False)
    settings = production(SECRET_KEY=None, REDIS_URL=None, MAIL_SERVER=None)
    with pytest.raises(UnsafeSettings) as refused:
        create_app({**settings, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    message = str(refused.value)
    assert "SECRET_KEY" in message and "REDIS_URL" in message and "MAIL_SERVER" in message


@pytest.mark.parametrize("missing", ["SECRET_KEY", "REDIS_URL", "MAIL_SERVER"])
def test_each_unsafe_setting_is_named_on_its_own(missing):
    problems = unsafe_settings(production(**{missing: None}))
    assert len(problems) == 1 and missing in problems[0]


def test_safe_production_settings_start():
    assert unsafe_settings(production()) == []
    app = create_app({**production(), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["ENV_NAME"] == "production"


def test_a_command_or_worker_needs_no_shared_rate_limits():
    assert unsafe_settings(production(REDIS_URL=None), serving=False) == []


def test_a_shared_limit_store_other_than_redis_will_do():
    settings = production(REDIS_URL=None, RATELIMIT_STORAGE_URI="memcached://127.0.0.1:11211")
    assert unsafe_settings(settings) == []


def test_choosing_to_send_no_mail_at_all_is_safe_and_logs_no_links(app, caplog):
    assert unsafe_settings(production(MAIL_SERVER=None, MAIL_SUPPRESS_SEND="1")) == []
    from core.mail import OutgoingMail, _deliver

    app.config.update(MAIL_SUPPRESS_SEND=True)
    with caplog.at_level("INFO"):
        _deliver(app, OutgoingMail(to="a@example.com", subject="Reset",
                                   body="https://parkwell.test/password/reset/SECRET"))
    assert "a@example.com" in caplog.text and "SECRET" not in caplog.text


def test_development_starts_with_nothing_set():
    assert unsafe_settings(load_config({})) == []
    create_app(base_config("sqlite://"))


# -- lock_timeout --------------------------------------------------------------------------


@pytest.fixture
def config_overrides() -> dict:
    return {"DB_LOCK_TIMEOUT_MS": 300}


#: Only PostgreSQL has lock_timeout and row locks that wait: run there, not skipped on SQLite.
ON_POSTGRES_ONLY = pytest.mark.parametrize("backend", ["postgresql"])


@ON_POSTGRES_ONLY  # lock_timeout is PostgreSQL's
def test_connections_carry_the_configured_lock_timeout(app, backend):
    with db.engine.connect() as connection:
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "300ms"


@ON_POSTGRES_ONLY  # row locks that wait are PostgreSQL's
def test_a_row_held_too_long_answers_busy_not_500(app, backend, make):
    """Another transaction holds the row; the request gives up after lock_timeout and
    says to try again (503 ``busy`` with Retry-After), and writes nothing."""
    user = make.user(Role.EMPLOYEE)
    make.commit()
    user_id = user.id
    probe = Blueprint("lock_probe", __name__, url_prefix="/api/v1")

    def rename():
        row = db.session.execute(db.select(User).where(User.id == user_id)
                                 .with_for_update()).scalar_one()
        row.display_name = "renamed"
        return {"ok": True}

    probe.add_url_rule("/lock-probe", "rename", rename, methods=["GET"])
    app.register_blueprint(probe)
    holder = create_engine(require_postgres())
    with holder.connect() as other:
        other.execute(text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": user_id})
        response = app.test_client().get("/api/v1/lock-probe")
        other.rollback()
    holder.dispose()
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "busy"
    assert response.headers["Retry-After"] == "2"
    db.session.expire_all()
    assert db.session.get(User, user_id).display_name != "renamed"


@ON_POSTGRES_ONLY  # row locks that wait are PostgreSQL's
def test_a_write_that_waits_at_commit_answers_busy_too(app, backend, make):
    """The change is only flushed when the request commits: the wait, and the answer, come
    then (a page this time, in the reader's language)."""
    user = make.user(Role.EMPLOYEE)
    make.commit()
    user_id = user.id
    probe = Blueprint("lock_probe_page", __name__)

    def rename():
        db.session.get(User, user_id).display_name = "renamed"
        return "renamed"

    probe.add_url_rule("/lock-probe-page", "rename", rename, methods=["GET"])
    app.register_blueprint(probe)
    holder = create_engine(require_postgres())
    with holder.connect() as other:
        other.execute(text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": user_id})
        response = app.test_client().get("/lock-probe-page", headers={"Accept-Language": "en"})
        other.rollback()
    holder.dispose()
    assert response.status_code == 503
    assert "Someone else is changing this right now" in response.text
    assert response.headers["Retry-After"] == "2"
    db.session.expire_all()
    assert db.session.get(User, user_id).display_name != "renamed"
