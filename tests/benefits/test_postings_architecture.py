"""One payments core: ``benefits.postings`` is the only module that posts payments, pot
payments and refunds to the ledger (an AST walk over every package, no database)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "health", "providers", "booking", "benefits", "park", "marketplace",
            "prevention", "care", "demo")

#: The ledger's own writers: ``ledger.post``, ``ledger.transfer``, ``ledger.reverse``.
WRITERS = frozenset({"post", "transfer", "reverse"})
ROWS = frozenset({"LedgerEntry", "LedgerTransaction"})
#: The mechanism itself, and the one payments core.
LEDGER, POSTINGS = "benefits/ledger.py", "benefits/postings.py"
#: The budget's own administration (nothing paid for), and only these kinds of movement.
BUDGETS, BUDGET_KINDS = "benefits/budgets.py", frozenset({"FUNDING", "ALLOCATION", "EXPIRY",
                                                         "RETURN"})
#: The scale seed writes synthetic history in bulk (and rebuilds the usage summary).
BULK_SEED = "demo/seed_scale.py"


def ledger_writes(source: str) -> list[tuple[int, str]]:
    """Where ``source`` writes to the ledger: (line, what), with what one of ``post``,
    ``transfer``, ``reverse`` (or ``<kind> transfer`` when its kind is spelled out),
    ``LedgerEntry(``, ``LedgerTransaction(``, ``LedgerEntry.__table__``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "benefits.ledger":
            found += [(node.lineno, f"imports {a.name}") for a in node.names
                      if a.name in WRITERS]
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in WRITERS \
                    and isinstance(func.value, ast.Name) and func.value.id == "ledger":
                kind = node.args[0] if node.args else None
                spelled = kind.attr if isinstance(kind, ast.Attribute) else "?"
                found.append((node.lineno, f"{spelled} {func.attr}"))
            elif isinstance(func, ast.Name) and func.id in ROWS:
                found.append((node.lineno, f"{func.id}("))
        if isinstance(node, ast.Attribute) and node.attr == "__table__" \
                and isinstance(node.value, ast.Name) and node.value.id in ROWS:
            found.append((node.lineno, f"{node.value.id}.__table__"))
    return found


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_only_postings_writes_payments_to_the_ledger():
    stray = []
    for name, source in _sources():
        if name in (LEDGER, POSTINGS, BULK_SEED):
            continue
        for line, what in ledger_writes(source):
            if name == BUDGETS and what.split()[0] in BUDGET_KINDS:
                continue
            stray.append(f"{name}:{line}: {what}")
    assert stray == [], "post payments, pot payments and refunds through benefits.postings"


def test_postings_does_write_and_the_check_finds_a_stray_writer():
    postings = (ROOT / POSTINGS).read_text(encoding="utf-8")
    assert {w.split()[-1] for _, w in ledger_writes(postings)} == WRITERS
    stray = ("from benefits import ledger\n"
             "def pay(a, b):\n"
             "    ledger.transfer(TransactionKind.CAPTURE, source=a, target=b)\n"
             "    db.session.add(LedgerEntry(account_id=1))\n")
    assert ledger_writes(stray) == [(3, "CAPTURE transfer"), (4, "LedgerEntry(")]
    # a budget movement that is a payment is not the budget's own administration
    assert ledger_writes("ledger.post(TransactionKind.REFUND, legs)") == [(1, "REFUND post")]


def test_ledger_rows_are_built_only_by_the_ledger():
    builders = [name for name, source in _sources() if name != LEDGER and any(
        what.endswith("(") for _, what in ledger_writes(source))]
    assert builders == []
