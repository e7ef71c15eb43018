"""Configuration from the environment."""

from __future__ import annotations

import logging

from core import config
from core.config import load_config, normalise_database_url


def test_postgres_urls_use_psycopg_3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_development_keeps_one_generated_secret_across_restarts(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "DEV_SECRET_FILE", tmp_path / "dev-secret-key")
    first = load_config({})["SECRET_KEY"]
    assert first == load_config({})["SECRET_KEY"]
    assert load_config({"SECRET_KEY": "given"})["SECRET_KEY"] == "given"


def test_production_without_a_secret_says_so_and_has_no_key(caplog):
    with caplog.at_level(logging.WARNING):
        settings = load_config({"PARKWELL_ENV": "production"})
    assert "SECRET_KEY is not set in production" in caplog.text
    assert settings["SECRET_KEY"] is None, "no random key that dies at the next restart"
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_defaults_a_newcomer_needs():
    settings = load_config({})
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert settings["PARK_TIMEZONE"] == "Asia/Shanghai"
    assert settings["DEFAULT_LOCALE"] == "zh_CN"
    assert settings["STRIPE_SECRET_KEY"] is None
