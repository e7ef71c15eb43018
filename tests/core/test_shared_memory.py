"""Two processes share what they remember through Redis (``core.memo``, issue 22): what one
worked out, the other finds; a database made again never meets the entries of the one
before (its epoch differs); Redis being away only costs the work."""

from __future__ import annotations

import pytest

from core import freshness
from core.db import db
from core.memo import memo
from tests.conftest import base_config, require_redis

#: Processes share a database server: SQLite in memory is one process's own.
pytestmark = pytest.mark.postgres_only


@pytest.fixture
def backend() -> str:
    return "postgresql"


@pytest.fixture
def config_overrides() -> dict:
    return {"REDIS_URL": require_redis(), "MEMO_SHARED": True}


def _process(app):
    """Another process of the same deployment: its own app, the same database."""
    from marketplace import create_app
    return create_app({**base_config(app.config["SQLALCHEMY_DATABASE_URI"]),
                       "REDIS_URL": app.config["REDIS_URL"], "MEMO_SHARED": True})


def test_what_one_process_worked_out_the_other_finds(app):
    memo("test.shared", 8, shared=True).put(("page", 1), {"total": 3})
    other = _process(app)
    with other.app_context():
        found = memo("test.shared", 8, shared=True)
        assert found.get(("page", 1)) == {"total": 3}
        assert len(found) == 1  # kept in that process too from now on
        db.session.remove()
        db.engine.dispose()


def test_a_database_made_again_does_not_meet_the_old_entries(app):
    memo("test.shared", 8, shared=True).put(("page", 1), {"total": 3})
    db.session.execute(freshness.FreshnessStamp.__table__.delete().where(
        freshness.FreshnessStamp.key == freshness.EPOCH))
    db.session.commit()
    app.extensions["memos"].clear()  # a new process on the new database
    assert memo("test.shared", 8, shared=True).get(("page", 1)) is None


def test_without_redis_a_memory_is_the_process_own(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    app.extensions.pop("memos", None)
    remembered = memo("test.shared", 8, shared=True)
    remembered.put("key", 1)  # not shared, not an error
    assert remembered.get("key") == 1
    remembered.clear()
    assert remembered.get("key") is None


def test_a_token_one_process_checked_the_other_knows_without_its_password_hash(app, make):
    """Who holds a token is loaded once for every worker (issue 22): another process
    checks it with one statement (the counters), and what Redis keeps of its owner leaves
    the password hash out; a revoked token is refused there at once."""
    from redis import Redis

    from core.accounts.models import ApiToken, Role
    from core.accounts.tokens import HOLDERS_SIZE, authenticate_token, revoke_api_token
    from core.clock import utcnow
    from tests.querycount import count_queries

    user = make.user(Role.EMPLOYEE)
    raw = make.token(user)
    db.session.commit()
    assert authenticate_token(raw, now=utcnow()).user_id == user.id
    db.session.rollback()
    kept = b"".join(Redis.from_url(app.config["REDIS_URL"]).get(key) or b""
                    for key in Redis.from_url(app.config["REDIS_URL"]).scan_iter(
                        "memo:*accounts.token_holders*"))
    assert user.email.encode() in kept and user.password_hash.encode() not in kept
    other = _process(app)
    with other.app_context():
        memo("accounts.token_holders", HOLDERS_SIZE, shared=True)  # made once a process
        with count_queries() as sent:
            token = authenticate_token(raw, now=utcnow())
        assert token is not None and token.user.email == user.email
        assert sent.count == 1, sent.report()
        db.session.rollback()
    stored = db.session.scalar(db.select(ApiToken).filter_by(user_id=user.id))
    revoke_api_token(user, token_id=stored.id, now=utcnow())
    db.session.commit()
    with other.app_context():
        assert authenticate_token(raw, now=utcnow()) is None
        db.session.remove()
        db.engine.dispose()
