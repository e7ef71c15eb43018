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
