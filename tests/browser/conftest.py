"""Real-browser journeys: Playwright driving Debian's Chromium against ParkWell served on a
free local port, with a fresh PostgreSQL database (migrated and seeded with the demo park),
the local Stripe-compatible test server (``benefits.stripe_local``, as ``make run`` starts it:
its Stripe.js stand-in in the page, signed webhooks back to the app) and a worker that runs
queued imports.

They skip, with the reason, when Chromium, Playwright or PostgreSQL is missing; CI sets
``PARKWELL_REQUIRE_BROWSER=1`` (and ``PARKWELL_REQUIRE_POSTGRES=1``), which turns every such
skip into a failure. They run when asked for (``pytest tests/browser``, ``-m browser`` or
``bash .ci/browser``), not as part of the whole suite: they take minutes, not seconds.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import postgres_url

CHROMIUM = os.environ.get("PARKWELL_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_JS = ROOT / ".ci" / "node_modules" / "axe-core" / "axe.min.js"
WEBHOOK_SECRET = "whsec_browser_journeys"
PORTS = range(5120, 5130)
HERE = Path(__file__).resolve().parent


def _required() -> bool:
    return os.environ.get("PARKWELL_REQUIRE_BROWSER") == "1"


def _missing(reason: str) -> None:
    if _required():
        pytest.fail(f"PARKWELL_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _asked_for(config: pytest.Config) -> bool:
    expression = config.getoption("markexpr") or ""
    if _required() or ("browser" in expression and "not browser" not in expression):
        return True
    return any(str(HERE) in str(Path(arg.split("::")[0]).resolve()) for arg in config.args)


def _playwright_missing() -> str | None:
    try:
        import playwright  # noqa: F401
        import pytest_playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright pytest-playwright)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    missing = _playwright_missing()
    if missing and _required():
        raise pytest.UsageError(f"PARKWELL_REQUIRE_BROWSER=1 but {missing}")


def _lighthouse_asked_for(config: pytest.Config) -> bool:
    expression = config.getoption("markexpr") or ""
    return ("lighthouse" in expression and "not lighthouse" not in expression) or any(
        "test_lighthouse" in arg for arg in config.args)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _lighthouse_asked_for(config):  # `make lighthouse` only: not part of the journeys
        kept = [item for item in items if not item.get_closest_marker("lighthouse")]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
    asked = _asked_for(config)
    for item in items:
        if HERE not in Path(str(item.fspath)).parents:
            continue
        item.add_marker(pytest.mark.browser)
        if not asked:
            item.add_marker(pytest.mark.skip(
                reason="browser journeys run with `bash .ci/browser` or `pytest tests/browser`"))


# -- the browser ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK)):
        _missing(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": LAUNCH_ARGS}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        _missing(f"axe-core not found at {AXE_JS} (bash .ci/browser installs it with npm)")
    return AXE_JS.read_text()


# -- the app, served --------------------------------------------------------------------------

class JobWorker:
    """The background worker beside the served app (``flask worker`` runs queued imports
    the same way): claims and runs queued jobs until stopped. A journey may ``pause`` it to
    see an import's page while the import is still waiting."""

    def __init__(self, app) -> None:
        self.app = app
        self.stopped, self.allowed = threading.Event(), threading.Event()
        self.allowed.set()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="job-worker")

    def _loop(self) -> None:
        from core.db import db
        from core.jobs import services as jobs

        with self.app.app_context():
            while not self.stopped.is_set():
                ran = False
                if self.allowed.is_set():
                    try:
                        ran = jobs.run_next()
                    except Exception:
                        logging.getLogger(__name__).exception("job worker")
                        db.session.rollback()
                if not ran:
                    self.stopped.wait(0.2)
            db.session.remove()

    def pause(self) -> None:
        self.allowed.clear()

    def resume(self) -> None:
        self.allowed.set()


@dataclass
class LiveApp:
    url: str
    app: object
    stripe: object
    jobs: JobWorker | None = None
    webhook_secret: str = WEBHOOK_SECRET
    notes: dict = field(default_factory=dict)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def browser_database() -> Iterator[str]:
    url = postgres_url()
    if url is None:
        _missing("PostgreSQL tests need TEST_DATABASE_URL (bash .ci/browser sets it)")
    server = make_url(url)
    name = f"parkwell_browser_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _compiled_translations(folder: Path) -> str:
    """The zh_CN catalogue compiled into ``folder`` (the tree's own .mo may be missing or
    stale, and compiling it in place is the lead's job)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        target = folder / po.relative_to(ROOT / "translations").with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source, target.open("wb") as out:
            write_mo(out, read_po(source))
    return str(folder)


def _migrate(db) -> None:
    """Upgrade the fresh database to the migrations' heads. Should the models and the
    migrations disagree (a branch that has not written its migration yet), build the
    schema from the models instead, so that the journeys test the code in the tree, and
    say so (tests/core/test_migrations.py is the test that fails for it)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    upgrade(revision="heads")
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    if differences:
        logging.getLogger(__name__).warning(
            "migrations lag the models (%d differences): the browser journeys use a schema "
            "built from the models", len(differences))
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()


@pytest.fixture(scope="session")
def live_app(browser_database: str, tmp_path_factory) -> Iterator[LiveApp]:
    from werkzeug.serving import make_server

    from benefits.stripe_local.server import LocalStripeServer
    from core.clock import utcnow
    from core.db import db
    from demo.seed import seed_demo
    from marketplace import create_app

    with LocalStripeServer(secret_key="sk_test_browser", publishable_key="pk_test_browser",
                           webhook_secret=WEBHOOK_SECRET) as stripe:
        app = create_app({
            "TESTING": False, "SECRET_KEY": "browser-journeys",
            "SQLALCHEMY_DATABASE_URI": browser_database,
            "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_SERVER": None, "REDIS_URL": None, "JOBS_MODE": "worker",
            "STRIPE_SECRET_KEY": "sk_test_browser", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": stripe.url, "STRIPE_PUBLISHABLE_KEY": "pk_test_browser",
            "STRIPE_JS_URL": f"{stripe.url}/v3/",
            "BABEL_TRANSLATION_DIRECTORIES": _compiled_translations(
                tmp_path_factory.mktemp("translations")),
        })
        with app.app_context():
            _migrate(db)
            seed_demo(now=utcnow())
            db.session.commit()
            db.session.remove()
        server = make_server("127.0.0.1", _free_port(), app, threaded=True)
        stripe.stripe.webhook_url = (f"http://127.0.0.1:{server.server_port}"
                                     "/api/v1/payments/stripe/webhook")
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        worker = JobWorker(app)
        worker.thread.start()
        try:
            yield LiveApp(url=f"http://127.0.0.1:{server.server_port}", app=app,
                          stripe=stripe.stripe, jobs=worker)
        finally:
            worker.stopped.set()
            worker.thread.join(timeout=10)
            server.shutdown()
            server.server_close()
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_app: LiveApp) -> str:
    return live_app.url


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
