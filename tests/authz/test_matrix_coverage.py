"""No route escapes the matrix: every rule of the app's URL map must be listed."""

from __future__ import annotations

from tests.authz.test_matrix import CASES


def test_every_route_of_the_app_is_in_the_matrix(app):
    listed = {(case.method, case.rule) for case in CASES}
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) not in listed:
                missing.append(f"{method} {rule.rule}")
    assert not missing, "routes missing from tests/authz/matrix_*.py:\n" + "\n".join(missing)
