"""Installing ParkWell as a park's IT person does: every package in the wheel, an instance
directory that is never inside site-packages, the ``parkwell`` command, and a configuration
reference that cannot drift from the code. (The wheel itself is built, installed, migrated
and served by ``bash .ci/wheel``.)"""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from click.testing import CliRunner

from core import config, config_doc
from core.config import PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


def test_the_wheel_ships_every_top_level_package():
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [p.name for p in PROJECT_ROOT.iterdir()
                if (p / "__init__.py").is_file() and p.name not in ("tests", "bench")]
    assert {"prevention", "care", "demo", "parkwell"} <= set(packages)
    for name in packages:
        assert any(fnmatch(name, pattern) for pattern in patterns), f"{name} not in the wheel"


def test_the_build_copies_the_assets_the_app_looks_for():
    setup_py = (PROJECT_ROOT / "setup.py").read_text()
    for asset in ("templates", "static", "translations", "migrations", "gunicorn.conf.py"):
        assert f'"{asset}"' in setup_py and (PROJECT_ROOT / asset).exists()
    assert "compile_catalogues" in setup_py


def test_the_parkwell_command_is_a_console_script():
    assert PYPROJECT["project"]["scripts"] == {"parkwell": "parkwell.cli:main"}


def test_the_parkwell_command_offers_serve_worker_migrate_seed_and_checks():
    from parkwell.cli import main

    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    for command in ("serve", "worker", "migrate", "seed", "checks", "db"):
        assert re.search(rf"^\s+{command}\s", result.output, re.MULTILINE), command


def test_the_instance_directory_comes_from_configuration(tmp_path):
    assert config.instance_dir({"PARKWELL_INSTANCE_DIR": str(tmp_path)}) == tmp_path
    settings = config.load_config({"PARKWELL_INSTANCE_DIR": str(tmp_path)})
    assert settings["INSTANCE_DIR"] == str(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'parkwell.sqlite'}"
    assert (tmp_path / "dev-secret-key").exists()


def test_an_installed_parkwell_keeps_its_data_outside_site_packages(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "IN_CHECKOUT", False)
    where = config.instance_dir({"XDG_DATA_HOME": str(tmp_path)})
    assert where == tmp_path / "parkwell"
    assert PROJECT_ROOT not in config.instance_dir({}).parents


def test_the_configuration_reference_is_generated_from_the_table_and_current():
    assert config_doc.DOC.read_text(encoding="utf-8") == config_doc.render(), (
        "docs/configuration.md is out of date: run python -m core.config_doc")


def _variables_read(path: Path) -> set[str]:
    source = path.read_text()
    found = set(re.findall(r"""env(?:iron)?(?:\.get)?[\(\[]\s*["']([A-Z][A-Z0-9_]+)["']""",
                           source))
    found |= set(re.findall(r"""_int\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))
    for names in re.findall(r"for name in \(([^)]*)\)", source):  # read in a loop
        found |= set(re.findall(r'"([A-Z][A-Z0-9_]+)"', names))
    return found


def test_every_variable_the_code_reads_is_in_the_configuration_table():
    read = (_variables_read(PROJECT_ROOT / "core" / "config.py")
            | _variables_read(PROJECT_ROOT / "gunicorn.conf.py"))
    assert {"SECRET_KEY", "FORCE_HTTPS", "GUNICORN_WORKERS", "BOOKING_HOLD_MINUTES"} <= read
    missing = read - config.setting_names()
    assert not missing, f"add these to SETTINGS in core/config.py: {sorted(missing)}"


def test_a_real_installation_starts_with_a_park_and_a_platform_admin(app, runner):
    from core.accounts.models import Park, Role
    from core.accounts.services import authenticate, find_user_by_login
    from core.clock import utcnow
    from core.db import db

    made = runner.invoke(args=["setup", "park", "--code", "ZJ-HITECH", "--name-zh", "张江高科园区",
                               "--name-en", "Zhangjiang Hi-Tech Park"])
    assert made.exit_code == 0, made.output
    assert db.session.query(Park).filter_by(code="ZJ-HITECH").one().name_zh == "张江高科园区"
    again = runner.invoke(args=["setup", "park", "--code", "ZJ-HITECH", "--name-zh", "x",
                                "--name-en", "y"])
    assert again.exit_code == 1 and "park_code_taken" in again.output
    assert db.session.query(Park).filter_by(code="ZJ-HITECH").count() == 1

    short = runner.invoke(args=["setup", "admin", "--login", "it@park.example.com", "--name",
                                "IT", "--password", "short"])
    assert short.exit_code == 1 and find_user_by_login("it@park.example.com") is None
    admin = runner.invoke(args=["setup", "admin", "--login", "it@park.example.com", "--name",
                                "园区IT", "--password", "a long enough secret"])
    assert admin.exit_code == 0, admin.output
    user = authenticate(login="it@park.example.com", password="a long enough secret",
                        now=utcnow())
    assert [m.role for m in user.memberships] == [Role.PLATFORM_ADMIN]
