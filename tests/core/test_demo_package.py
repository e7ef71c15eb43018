"""The demo and scale parks are seed data, not features (issue 23): they live in ``demo/``,
and no package imports them except the installed command (``parkwell seed``); ``flask
seed-demo`` and ``seed-scale`` reach Flask through pyproject's "flask.commands" entry points
(an AST walk, no database)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "health", "providers", "booking", "benefits", "park", "prevention", "care",
            "marketplace", "parkwell")
#: Where the demo is imported: the installed command's ``parkwell seed``.
REGISTRATION = {"parkwell/cli.py"}


def _imports_demo(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(
                a.name.split(".")[0] == "demo" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "demo":
            return True
    return False


def test_only_the_command_registration_imports_the_demo():
    importers = {path.relative_to(ROOT).as_posix()
                 for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                 if _imports_demo(path.read_text(encoding="utf-8"))}
    assert importers == REGISTRATION


def test_the_seeding_left_the_marketplace():
    assert not list((ROOT / "marketplace").glob("seed*.py"))
    assert (ROOT / "demo" / "seed.py").is_file() and (ROOT / "demo" / "seed_scale.py").is_file()
    assert _imports_demo("from demo.seed import seed_demo")
    assert not _imports_demo("from marketplace import demo_notes")


def test_flask_finds_the_seed_commands_through_the_entry_points():
    from importlib.metadata import entry_points

    commands = {e.name: e.value for e in entry_points(group="flask.commands")}
    assert commands["seed-demo"] == "demo.cli:seed_demo_command"
    assert commands["seed-scale"] == "demo.cli:seed_scale_command"


def test_the_seed_commands_run_as_flask_runs_them_without_an_app_context(tmp_path):
    """``flask seed-scale`` from the entry point, in a fresh thread (no app context, as in a
    shell): the command pushes its own. (Inside a test the app's context is already there,
    which hid this once.)"""
    from concurrent.futures import ThreadPoolExecutor

    from flask.cli import FlaskGroup

    from core.db import db
    from marketplace import create_app
    from tests.conftest import base_config

    app = create_app(base_config(f"sqlite:///{tmp_path / 'shell.db'}"))
    with app.app_context():
        db.create_all()
    group = FlaskGroup(create_app=lambda: app)

    def run_in_a_shell():
        return app.test_cli_runner().invoke(group, [
            "seed-scale", "--employees", "4", "--enterprises", "1", "--providers", "1",
            "--services", "2", "--bookings", "2", "--days", "2", "--past-days", "1",
            "--feed-events", "1"])

    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(run_in_a_shell).result()
    assert result.exit_code == 0, result.output
    assert "bookings" in result.output
