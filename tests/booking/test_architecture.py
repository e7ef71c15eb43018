"""The arrows point one way: providers and health never import booking; booking never
imports the packages to its right (benefits, park, marketplace)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_packages(package: str) -> set[str]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_providers_and_health_do_not_import_booking():
    assert "booking" not in _imported_packages("providers")
    assert "booking" not in _imported_packages("health")


def test_booking_does_not_import_the_packages_to_its_right():
    assert not {"benefits", "park", "marketplace"} & _imported_packages("booking")
