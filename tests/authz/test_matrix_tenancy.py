"""The matrix's own consistency on tenancy: where a tenant's member succeeds and the same role
in another tenant is refused, the refusal is 404 (the resource does not exist for them), never
403 (which would confirm that it exists)."""

from __future__ import annotations

from tests.authz.test_matrix import CASES

TWINS = [("enterprise_admin", "other_enterprise_admin"), ("employee", "other_employee"),
         ("provider_owner", "other_provider_owner"), ("committee", "other_park_committee")]
SUCCESS = {200, 201, 204, 302}


def test_other_tenants_are_told_not_found_not_forbidden():
    leaks = []
    for case in CASES:
        for own, other in TWINS:
            if case.expected(own) in SUCCESS and case.expected(other) == 403:
                leaks.append(f"{case.method} {case.rule}: {other} expects 403")
    assert not leaks, "\n".join(leaks)
