"""Every state-changing form refuses a request without its CSRF token (the API, which reads
no cookies, is exempt)."""

from __future__ import annotations

import re

import pytest

from tests.authz.test_matrix import CASES

FORM_POSTS = [case for case in CASES if case.method == "POST" and not case.is_api]


@pytest.fixture
def config_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def _path(rule: str) -> str:
    """A path for the rule with made-up arguments: CSRF is checked before any view runs, so
    nothing has to exist."""
    rule = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m[1].strip(), rule)
    return re.sub(r"<[^>]+>", "1", rule)


def test_every_form_post_without_its_token_is_refused(client):
    assert len(FORM_POSTS) > 50
    accepted = []
    for case in FORM_POSTS:
        response = client.post(_path(case.rule), data={"anything": "x"})
        if response.status_code != 400 or "<!doctype html>" not in response.text.lower():
            accepted.append(f"{case.rule}: {response.status_code}")
    assert not accepted, "accepted without a CSRF token:\n" + "\n".join(accepted)
