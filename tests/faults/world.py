"""Shared plumbing of the fault tools (``.ci/fuzz-api``, ``.ci/crash``): a throw-away
PostgreSQL database, migrated and seeded; API tokens for demo roles; a real gunicorn server.

Everything here talks to real processes over real sockets; nothing is mocked."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
HEALTH_DATA_KEY = "ZmF1bHRzLWhlYWx0aC1kYXRhLWtleS0zMi1ieXRlcyE="  #: Fernet, throw-away data only


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def database_url(name: str) -> str:
    """A database of this name on ``FAULTS_PG_SERVER``, else ``TEST_DATABASE_URL``'s
    server (as CI sets it), else the local one."""
    server = (os.environ.get("FAULTS_PG_SERVER") or os.environ.get("TEST_DATABASE_URL")
              or SERVER)
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database(url: str) -> None:
    """(Re)create the database ``url`` names, empty."""
    name = make_url(url).database
    engine = _admin(url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_database(url: str) -> None:
    engine = _admin(url)
    with engine.connect() as connection:
        connection.execute(text(
            f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def app_env(url: str, **extra: str) -> dict[str, str]:
    """The environment a server, worker or ``flask`` command of this run gets."""
    env = dict(os.environ)
    env.update({
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": url,
        "SECRET_KEY": "faults-secret-key",
        "PARKWELL_ENV": "development",
        "HEALTH_DATA_KEYS": HEALTH_DATA_KEY,
        "PYTHONUNBUFFERED": "1",
        # The load is the point here: per-person limits would only answer 429.
        "BOOKING_RATE_LIMIT": "100000 per minute",
        "EXPORT_RATE_LIMIT": "100000 per minute",
        "LOGIN_RATE_LIMIT": "100000 per minute",
    })
    env.pop("MAIL_SERVER", None)
    env.update(extra)
    return env


def in_process_app(url: str, **config):
    """The app in this process, on ``url`` (for setup and checks: no second interpreter to
    start, which matters on a busy machine)."""
    import logging

    from marketplace import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "faults-secret-key",
                      "MAIL_SERVER": None, "HEALTH_DATA_KEYS": HEALTH_DATA_KEY, **config})
    logging.getLogger().setLevel(logging.WARNING)
    return app


def migrate(url: str) -> None:
    """Alembic to every head (one after the lead's merge; several while helpers work).
    ``FAULTS_SCHEMA=create_all`` builds the tables from the models instead (for a work tree
    whose migrations are not written yet)."""
    from flask_migrate import upgrade

    from core.db import db

    app = in_process_app(url)
    with app.app_context():
        if os.environ.get("FAULTS_SCHEMA") == "create_all":
            db.create_all()
        else:
            upgrade(revision="heads")
        db.session.remove()
        db.engine.dispose()


def seed_demo_park(url: str, logins: list[str], *, days: int = 2) -> dict[str, str]:
    """``flask seed-demo``, then a read+write API token for each login (the raw values)."""
    from core.accounts.models import User
    from core.accounts.tokens import create_api_token
    from core.clock import utcnow
    from core.db import db
    from demo.seed import seed_demo

    app = in_process_app(url)
    tokens = {}
    with app.app_context():
        seed_demo(now=utcnow())
        db.session.commit()
        for login in logins:
            user = db.session.scalar(db.select(User).where(User.email == login))
            _, raw = create_api_token(user, name="faults", scopes=["read", "write"],
                                      expires_in_days=days, now=utcnow())
            tokens[login] = raw
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return tokens


def wait_http(url: str, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our URL
                if response.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.3)


class Gunicorn:
    """``gunicorn wsgi:app`` with ``workers`` sync workers on ``port``."""

    def __init__(self, env: dict[str, str], port: int, *, workers: int = 2,
                 timeout: int = 60, logfile: Path | None = None) -> None:
        self.env, self.port, self.workers, self.timeout = env, port, workers, timeout
        self.logfile = logfile
        self.process: subprocess.Popen | None = None
        self.boot_seconds = 0.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        out = open(self.logfile, "ab") if self.logfile else subprocess.DEVNULL  # noqa: SIM115
        # --preload: the app is imported once by the master, so that a worker killed and
        # replaced is serving again at once (importing takes long on a busy machine).
        args = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers), "--timeout", str(self.timeout),
                "--graceful-timeout", "5", "--preload", "wsgi:app"]
        if _gunicorn_has_control_socket():
            args.insert(1, "--no-control-socket")
        self.process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        started = time.monotonic()
        wait_http(f"{self.base}/api/v1/openapi.json", timeout=180)
        self.boot_seconds = time.monotonic() - started
        return self

    def worker_pids(self) -> list[int]:
        """The pids of the master's worker processes (children of the master)."""
        if self.process is None:
            return []
        try:
            out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                                 capture_output=True, text=True, check=False).stdout
        except OSError:
            return []
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


_CONTROL_SOCKET: bool | None = None


def _gunicorn_has_control_socket() -> bool:
    global _CONTROL_SOCKET
    if _CONTROL_SOCKET is None:
        out = subprocess.run([str(BIN / "gunicorn"), "--help"], capture_output=True,
                             text=True, check=False).stdout
        _CONTROL_SOCKET = "--no-control-socket" in out
    return _CONTROL_SOCKET


@contextlib.contextmanager
def throwaway_database(name: str, *, keep: bool = False) -> Iterator[str]:
    url = database_url(name)
    create_database(url)
    try:
        yield url
    finally:
        if not keep:
            drop_database(url)
