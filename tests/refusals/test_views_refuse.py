"""Every view that catches a domain error hands it to ``core.web.refuse`` (directly, through
a helper of its module, or by raising again), so that the refusal is rolled back in the one
place that knows how (docs/architecture-transactions.md)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from core.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("booking", "benefits", "care", "core", "health", "marketplace", "park",
            "prevention", "providers")
#: (file, function) → why its handler is not a refusal of the request's action.
NOT_REFUSALS = {
    ("prevention/views.py", "_render_booking"):
        "a notice while showing the booking page (a day outside the campaign); no action",
    ("core/audit/views.py", "_actor_id"):
        "reading a search filter (a login that is not one finds nobody); no action",
}


def _view_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*views.py"))


def _called(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            names.add(func.id if isinstance(func, ast.Name)
                      else func.attr if isinstance(func, ast.Attribute) else "")
    return names


def _caught(handler: ast.ExceptHandler) -> list[str]:
    if handler.type is None:
        return []
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return [n.id if isinstance(n, ast.Name) else n.attr for n in nodes
            if isinstance(n, ast.Name | ast.Attribute)]


def test_every_caught_domain_error_is_refused():
    wrong = []
    files = _view_files()
    assert len(files) >= 10
    for path in files:
        relative = path.relative_to(ROOT).as_posix()
        module = importlib.import_module(relative[:-3].replace("/", "."))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        helpers = {f.name for f in functions if "refuse" in _called(f)}
        for function in functions:
            for handler in (n for n in ast.walk(function) if isinstance(n, ast.ExceptHandler)):
                domain = [name for name in _caught(handler)
                          if isinstance(getattr(module, name, None), type)
                          and issubclass(getattr(module, name), DomainError)]
                if not domain or (relative, function.name) in NOT_REFUSALS:
                    continue
                refused = ({"refuse"} | helpers) & _called(handler)
                raises = any(isinstance(n, ast.Raise) for n in ast.walk(handler))
                if not (refused or raises):
                    wrong.append(f"{relative}:{handler.lineno} {function.name} catches "
                                 f"{', '.join(domain)} without refuse()")
    assert not wrong, "\n".join(wrong)
