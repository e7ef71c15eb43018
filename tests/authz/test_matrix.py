"""Walk the whole authorisation matrix: every route, every actor."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.authz as authz_package
from tests.authz.harness import ACTORS, RouteCase, World, build_core_world


def _matrix_modules():
    return [importlib.import_module(f"tests.authz.{info.name}")
            for info in pkgutil.iter_modules(authz_package.__path__)
            if info.name.startswith("matrix_")]


MODULES = _matrix_modules()
CASES: list[RouteCase] = [case for module in MODULES for case in module.ROUTES]


def _build_world(make) -> World:
    world = build_core_world(make)
    for module in MODULES:
        if hasattr(module, "build_world"):
            module.build_world(world, make)
    make.commit()
    return world


def _request(client, world: World, case: RouteCase, actor: str):
    kwargs = {}
    if case.is_api:
        if actor != "anonymous":
            kwargs["headers"] = {"Authorization": f"Bearer {world.tokens[actor]}"}
        if case.body is not None:
            kwargs["json"] = case.body(world)
    else:
        if actor != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = world.users[actor].get_id()
                session["_fresh"] = True
        if case.body is not None:
            kwargs["data"] = case.body(world)
    return client.open(case.path(world), method=case.method, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.rule}")
def test_route_answers_each_actor_as_the_matrix_says(app, make, case: RouteCase):
    world = _build_world(make)
    wrong = []
    for actor in ACTORS:
        client = app.test_client()
        response = _request(client, world, case, actor)
        response.close()
        if response.status_code != case.expected(actor):
            wrong.append(f"{actor}: got {response.status_code}, "
                         f"expected {case.expected(actor)}")
        assert response.status_code != 500, f"{actor} caused a 500"
    assert not wrong, f"{case.method} {case.rule}\n" + "\n".join(wrong)


def test_every_route_of_the_app_is_in_the_matrix(app):
    listed = {(case.method, case.rule) for case in CASES}
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) not in listed:
                missing.append(f"{method} {rule.rule}")
    assert not missing, "routes missing from tests/authz/matrix_*.py:\n" + "\n".join(missing)
