"""Every view that catches a domain error hands it to ``core.web.refuse`` (directly, through
a helper of its module, or by raising again), so that the refusal is rolled back in the one
place that knows how (docs/architecture-transactions.md); and no API view catches one at
all: it reaches ``core.web._handle_domain_error``, which rolls back."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from core.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("booking", "benefits", "care", "core", "demo", "health", "marketplace", "park",
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


def _api_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("api.py"))


def _domain_handlers(path: Path):
    """(module path, function, handler, the DomainError classes it catches)."""
    relative = path.relative_to(ROOT).as_posix()
    module = importlib.import_module(relative[:-3].replace("/", "."))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for handler in (n for n in ast.walk(function) if isinstance(n, ast.ExceptHandler)):
            domain = [name for name in _caught(handler)
                      if isinstance(getattr(module, name, None), type)
                      and issubclass(getattr(module, name), DomainError)]
            if domain:
                yield relative, tree, function, handler, domain


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
        helpers: set[str] | None = None
        for relative, tree, function, handler, domain in _domain_handlers(path):
            if helpers is None:
                helpers = {f.name for f in ast.walk(tree)
                           if isinstance(f, ast.FunctionDef) and "refuse" in _called(f)}
            if (relative, function.name) in NOT_REFUSALS:
                continue
            refused = ({"refuse"} | helpers) & _called(handler)
            if not (refused or any(isinstance(n, ast.Raise) for n in ast.walk(handler))):
                wrong.append(f"{relative}:{handler.lineno} {function.name} catches "
                             f"{', '.join(domain)} without refuse()")
    assert not wrong, "\n".join(wrong)


def test_no_api_view_swallows_a_domain_error():
    files = _api_files()
    assert len(files) >= 8
    wrong = [f"{relative}:{handler.lineno} {function.name} catches {', '.join(domain)}"
             for path in files
             for relative, _tree, function, handler, domain in _domain_handlers(path)
             if not any(isinstance(n, ast.Raise) for n in ast.walk(handler))]
    assert not wrong, "\n".join(wrong)
