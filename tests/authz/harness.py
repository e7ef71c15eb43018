"""The authorisation matrix: routes × actors → expected HTTP status, kept as data.

Each package adds a module ``tests/authz/matrix_<package>.py`` that defines ``ROUTES``
(a list of ``RouteCase``) and, when its routes need objects of their own, ``build_world``
(a function ``(world, make) -> None`` that adds them to the world). ``test_matrix.py``
walks every case for every actor, each request on the same fresh world (a savepoint rolled
back after it), and ``test_matrix_coverage.py`` fails when the app has a route no case
lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from core.accounts.models import ProviderLevel, Role

#: Every actor the matrix knows. "other_*" belong to a different tenant than the world's
#: objects, which is how tenant isolation (404, not 403) is checked.
ACTORS = (
    "anonymous",
    "employee",
    "other_employee",
    "enterprise_admin",
    "other_enterprise_admin",
    "provider_owner",
    "provider_staff",
    "other_provider_owner",
    "committee",
    "other_park_committee",
    "platform_admin",
)


class World(SimpleNamespace):
    """The objects a matrix run uses: park, enterprise, provider, their 'other' twins, the
    actors' users (``world.users[actor]``) and tokens (``world.tokens[actor]``), and
    whatever packages add."""


@dataclass(frozen=True)
class RouteCase:
    method: str
    rule: str  #: exactly as in ``app.url_map``
    path: Callable[[World], str]
    expect: dict[str, int]  #: actor → status; actors not listed expect ``default``
    default: int | None = None
    #: A body to send: form data for pages, JSON for the API.
    body: Callable[[World], dict] | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    def expected(self, actor: str) -> int:
        if actor in self.expect:
            return self.expect[actor]
        if self.default is None:
            raise AssertionError(f"{self.method} {self.rule}: no expectation for {actor}")
        return self.default

    @property
    def is_api(self) -> bool:
        return self.rule.startswith("/api/")


def everyone(status: int, **overrides: int) -> dict[str, int]:
    """All actors get ``status`` except those named."""
    return {actor: overrides.get(actor, status) for actor in ACTORS}


def signed_in(status: int, *, anonymous: int, **overrides: int) -> dict[str, int]:
    """Every signed-in actor gets ``status``; anonymous gets its own."""
    return everyone(status, anonymous=anonymous, **overrides)


def build_core_world(make) -> World:
    world = World()
    world.park = make.park()
    world.other_park = make.park()
    world.enterprise = make.enterprise(park=world.park)
    world.other_enterprise = make.enterprise(park=world.park)
    world.provider = make.provider(park=world.park)
    world.other_provider = make.provider(park=world.park)
    users = {
        "employee": make.user(Role.EMPLOYEE, enterprise=world.enterprise),
        "other_employee": make.user(Role.EMPLOYEE, enterprise=world.other_enterprise),
        "enterprise_admin": make.user(Role.ENTERPRISE_ADMIN, enterprise=world.enterprise),
        "other_enterprise_admin": make.user(Role.ENTERPRISE_ADMIN,
                                            enterprise=world.other_enterprise),
        "provider_owner": make.user(Role.PROVIDER_STAFF, provider=world.provider,
                                    provider_level=ProviderLevel.OWNER),
        "provider_staff": make.user(Role.PROVIDER_STAFF, provider=world.provider,
                                    provider_level=ProviderLevel.STAFF),
        "other_provider_owner": make.user(Role.PROVIDER_STAFF, provider=world.other_provider,
                                          provider_level=ProviderLevel.OWNER),
        "committee": make.user(Role.COMMITTEE_MEMBER, park=world.park),
        "other_park_committee": make.user(Role.COMMITTEE_MEMBER, park=world.other_park),
        "platform_admin": make.user(Role.PLATFORM_ADMIN),
    }
    world.users = users
    world.tokens = {actor: make.token(user) for actor, user in users.items()}
    return world
