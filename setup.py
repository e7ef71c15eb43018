"""Build-time steps pyproject.toml cannot express (the metadata is all in pyproject.toml).

The checkout keeps templates, static files, translations, migrations and gunicorn.conf.py at
its top level. A wheel cannot put them there (they would land loose in site-packages), so
``build_py`` copies them into the ``parkwell`` package, where ``core.config.ASSET_ROOT``
looks once installed, and compiles the translation catalogues (``.po`` → ``.mo``) on the way:
compiled catalogues are build products, not committed (several people edit the ``.po`` at
once; a committed binary would conflict at every merge and go stale silently).
Editable installs (``make install``) read the checkout itself and copy nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
ASSET_DIRS = ("templates", "static", "translations", "migrations")
ASSET_FILES = ("gunicorn.conf.py",)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "messages.pot")


def compile_catalogues(translations: Path) -> list[Path]:
    """Write ``messages.mo`` next to every ``messages.po`` under ``translations``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalogue, use_fuzzy=False)
        written.append(mo)
    if not written:
        raise SystemExit(f"no translation catalogues under {translations}")
    return written


class BuildPyWithAssets(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "parkwell"
        for name in ASSET_DIRS:
            if (target / name).exists():
                shutil.rmtree(target / name)
            shutil.copytree(ROOT / name, target / name, ignore=IGNORE)
        for name in ASSET_FILES:
            shutil.copy2(ROOT / name, target / name)
        for mo in compile_catalogues(target / "translations"):
            self.announce(f"compiled {mo.relative_to(target)}", level=2)


setup(cmdclass={"build_py": BuildPyWithAssets})
