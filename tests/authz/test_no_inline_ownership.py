"""Ownership is decided by the policy (``Action.OWN_RECORD``), not by comparing ids in
views and services: a check written inline is a rule nobody can find or change in one place.
SQL filters (``where(Booking.client_id == user.id)``) select rows and are not checks."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "health", "benefits", "park", "booking", "marketplace", "providers",
            "prevention", "care")
OWNER_FIELDS = {"client_id", "user_id"}
ACTORS = {"actor", "user", "current_user"}

#: Comparisons that are not ownership checks, each with why.
ALLOWED = {
    # Which of the team's practitioners is this person (a staff identity, not ownership).
    ("care/agreements.py", "p.user_id == user.id"),
    # A roster import noticing that a row now links another account (a join, not a check).
    ("benefits/roster.py", "entry.user_id != user.id"),
}


def _is_actor_id(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "id"
            and isinstance(node.value, ast.Name) and node.value.id in ACTORS)


def _is_owner_field(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in OWNER_FIELDS \
        and not (isinstance(node.value, ast.Name) and node.value.id[:1].isupper())


def _inline_checks(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or len(node.comparators) != 1 \
                or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            continue
        left, right = node.left, node.comparators[0]
        if not ((_is_owner_field(left) and _is_actor_id(right))
                or (_is_actor_id(left) and _is_owner_field(right))):
            continue
        parent = parents.get(node)
        while isinstance(parent, ast.BoolOp):
            parent = parents.get(parent)
        if isinstance(parent, ast.Call):  # an SQL filter's argument
            continue
        found.append(ast.unparse(node))
    return found


def test_no_view_or_service_compares_owner_ids_itself():
    inline = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/seed" in relative:
                continue
            inline += [f"{relative}: {check}" for check in _inline_checks(path)
                       if (relative, check) not in ALLOWED]
    assert inline == [], "ask core.policy (Action.OWN_RECORD) instead:\n" + "\n".join(inline)
