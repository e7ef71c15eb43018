"""The packages' arrows point one way (docs/architecture.md, "Architecture"): each package
imports only the packages its row below allows, all of them to its left in ``LAYERS``, so
there is no cycle. Every import counts: at module level, inside a function, under
``TYPE_CHECKING``.

The table is what the code needs today, not everything the order would permit: a new arrow
is a decision. Add it here and to the map in docs/architecture.md, and only ever towards
the left; going back the other way is a blinker signal or a registry the inner package
offers (``core.jobs.periodic``, ``providers.slots``, ``booking.feeds``...)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Left to right: a package may import only packages of an earlier layer.
LAYERS = [
    {"core"},
    {"health", "providers"},
    {"booking"},
    {"benefits"},
    {"park"},
    {"prevention"},
    {"care"},
    {"marketplace"},
    {"demo"},
    {"parkwell"},
]

#: Each package and the packages it may import.
ALLOWED: dict[str, set[str]] = {
    # The foundation, including the one job system and the API's idempotency keys.
    "core": set(),
    "health": {"core"},  # also family relations (``dependant_of``)
    "providers": {"core"},  # learns of bookings through ``providers.slots`` registries
    "booking": {"core", "health", "providers"},
    "benefits": {"core", "providers", "booking"},  # pays for bookings and series
    # Events are not slots: the park books nothing of booking's, it pays through benefits.
    "park": {"core", "health", "benefits"},
    "prevention": {"core", "health", "providers", "booking", "benefits"},  # check-up slots
    "care": {"core", "health", "providers", "booking", "benefits", "park", "prevention"},
    # The composition root: create_app registers every package.
    "marketplace": {"core", "health", "providers", "booking", "benefits", "park",
                    "prevention", "care"},
    # The demo and scale parks, seeded through every package's services; its commands reach
    # ``flask`` through the "flask.commands" entry points, not through create_app.
    "demo": {"core", "health", "providers", "booking", "benefits", "park", "prevention",
             "care", "marketplace"},
    "parkwell": {"core", "marketplace", "demo"},  # the installed command and WSGI entry point
}

#: Arrows the code has today against the intended direction, each with its reason. None:
#: keep it that way (an entry here is a debt, listed in the report that adds it).
EXCEPTIONS: dict[tuple[str, str], str] = {}


def _packages_in_repository() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}


def _imports(package: str, *, root: Path = ROOT) -> list[tuple[str, str]]:
    """(other package, where) for every import of another top-level package of ours."""
    ours = set(ALLOWED)
    found = []
    for path in sorted((root / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in ours and top != package:
                    found.append((top, f"{path.relative_to(root)}:{node.lineno} {module}"))
    return found


def _layer(package: str) -> int:
    return next(n for n, layer in enumerate(LAYERS) if package in layer)


def test_every_package_has_a_row_and_a_layer():
    assert _packages_in_repository() == set(ALLOWED), (
        "a package without a row in ALLOWED (or a row without a package)")
    assert set().union(*LAYERS) == set(ALLOWED)


def test_the_table_points_only_left_so_there_is_no_cycle():
    backwards = [(package, other) for package, others in ALLOWED.items() for other in others
                 if _layer(other) >= _layer(package)]
    assert backwards == []


def test_no_package_imports_against_the_arrows():
    wrong = [f"{package} -> {where}" for package in sorted(ALLOWED)
             for other, where in _imports(package)
             if other not in ALLOWED[package] and (package, other) not in EXCEPTIONS]
    assert wrong == [], "\n".join(wrong)


def test_every_allowed_arrow_is_used():
    """A row says what the package needs: an arrow nothing uses any more is taken out."""
    unused = [(package, other) for package, others in sorted(ALLOWED.items())
              for other in sorted(others)
              if other not in {o for o, _where in _imports(package)}]
    assert unused == []


def test_the_checker_sees_imports_inside_functions(tmp_path):
    """The test itself can fail: an import tucked into a function still counts."""
    (tmp_path / "health").mkdir()
    (tmp_path / "health" / "__init__.py").write_text("")
    (tmp_path / "health" / "late.py").write_text(
        "import typing\n\nif typing.TYPE_CHECKING:\n    import care.models\n\n\n"
        "def f():\n    from booking import services\n")
    assert sorted(other for other, _where in _imports("health", root=tmp_path)) == [
        "booking", "care"]
