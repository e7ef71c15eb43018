"""Reads for people and tenancy."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select

from core.accounts.models import (
    Enterprise,
    Invitation,
    Park,
    ProviderOrganisation,
    Role,
)
from core.db import db
from core.errors import NotFound

_M = TypeVar("_M")


def get_or_404(model: type[_M], ident: int) -> _M:
    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound()
    return obj


def all_parks() -> list[Park]:
    return list(db.session.scalars(select(Park).order_by(Park.id)))


def all_enterprises() -> list[Enterprise]:
    return list(db.session.scalars(select(Enterprise).order_by(Enterprise.park_id,
                                                               Enterprise.id)))


def all_providers() -> list[ProviderOrganisation]:
    return list(db.session.scalars(select(ProviderOrganisation).order_by(
        ProviderOrganisation.park_id, ProviderOrganisation.id)))


def enterprise_invitations(enterprise: Enterprise, *, limit: int = 50) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.enterprise_id == enterprise.id,
                                 Invitation.role == Role.EMPLOYEE)
        .order_by(Invitation.id.desc()).limit(limit)))


def provider_invitations(provider: ProviderOrganisation, *, limit: int = 50) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.provider_id == provider.id)
        .order_by(Invitation.id.desc()).limit(limit)))


def partner_invitations(*, limit: int = 50) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.role != Role.EMPLOYEE)
        .order_by(Invitation.id.desc()).limit(limit)))
