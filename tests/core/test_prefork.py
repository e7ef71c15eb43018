"""A recycled gunicorn worker starts warm: the master has configured the mappers, compiled
the templates and frozen its objects before it forks (``core.prefork``)."""

from __future__ import annotations

import gc
import importlib.util
from pathlib import Path

import pytest

from booking.models import Booking
from core import prefork


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_the_master_compiles_every_template_and_freezes_its_objects_before_forking(
        app, unfrozen):
    environment = app.jinja_env
    environment.cache.clear()

    prefork.ready_to_fork(app)

    compiled = {template.name for template in environment.cache.values()}
    assert len(compiled) > 50 and set(environment.list_templates()) <= compiled
    assert Booking.__mapper__.configured
    assert gc.get_freeze_count() > 100_000, "the app's own objects are out of the collector's way"


def test_gunicorn_prepares_the_preloaded_app_once_before_the_first_fork(app, monkeypatch):
    prepared = []
    monkeypatch.setattr(prefork, "ready_to_fork", prepared.append)
    path = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class Server:
        class app:  # noqa: N801 - gunicorn's attribute
            @staticmethod
            def wsgi():
                return app

    module.when_ready(Server())
    assert prepared == [app]
