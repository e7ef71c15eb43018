"""No mutating route escapes the refusal harness: each has a case that drives it into a
refusal of its rules or its input, or a reason why it cannot refuse."""

from __future__ import annotations

from tests.refusals.harness import MUTATING
from tests.refusals.test_refusals import CANNOT_REFUSE, DERIVED, WRITTEN


def _mutating_routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in (rule.methods or set()) if method in MUTATING}


def test_every_mutating_route_has_a_refusal_case_or_a_reason(app):
    refused = {(case.method, case.rule) for case in WRITTEN}
    refused |= {(case.method, case.rule) for case in DERIVED
                if case.expect not in (403, 404)}  # authorisation is not the action's rules
    missing = sorted(f"{method} {rule}" for method, rule in _mutating_routes(app)
                     if (method, rule) not in refused and (method, rule) not in CANNOT_REFUSE)
    assert not missing, ("mutating routes with no refusal case in tests/refusals/cases_*.py "
                         "and no reason in CANNOT_REFUSE:\n" + "\n".join(missing))


def test_the_harness_names_only_routes_that_exist(app):
    routes = _mutating_routes(app)
    stale = sorted(f"{c.method} {c.rule}" for c in WRITTEN if (c.method, c.rule) not in routes)
    stale += sorted(f"{m} {r}" for m, r in CANNOT_REFUSE if (m, r) not in routes)
    assert not stale, "refusal cases for routes that no longer exist:\n" + "\n".join(stale)


def test_a_route_that_cannot_refuse_has_no_refusal_case():
    both = sorted(f"{c.method} {c.rule}" for c in WRITTEN if (c.method, c.rule) in CANNOT_REFUSE)
    assert not both, "listed as refusing and as unable to refuse:\n" + "\n".join(both)
