"""The navigation each role sees. Packages add their entries in their ``init_app``, so that
the shell never has to know which packages exist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.accounts.models import Membership, ProviderLevel, Role

UrlArgs = Callable[[Membership], dict]


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object  #: a lazy string
    url_args: UrlArgs | None = None
    owners_only: bool = False
    order: int = 100


_ENTRIES: dict[Role, list[NavEntry]] = {}


def add_nav(role: Role, entry: NavEntry) -> None:
    entries = [e for e in _ENTRIES.setdefault(role, []) if e.endpoint != entry.endpoint]
    entries.append(entry)
    _ENTRIES[role] = sorted(entries, key=lambda e: e.order)


def nav_for(membership: Membership | None) -> list[tuple[NavEntry, dict]]:
    if membership is None:
        return []
    result = []
    for entry in _ENTRIES.get(membership.role, []):
        if entry.owners_only and membership.provider_level is not ProviderLevel.OWNER:
            continue
        result.append((entry, entry.url_args(membership) if entry.url_args else {}))
    return result
