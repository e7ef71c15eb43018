"""API shapes for people, roles and tokens (pydantic; also the OpenAPI components)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.accounts.models import ApiToken, Membership, User
from core.api.pagination import Page


class MembershipOut(BaseModel):
    id: int
    role: str = Field(description="employee, enterprise_admin, provider_staff, "
                                  "committee_member or platform_admin")
    role_label: str
    scope_type: str | None = Field(description="enterprise, provider, park or null")
    scope_id: int | None
    scope_name: str
    provider_level: str | None

    @classmethod
    def of(cls, membership: Membership, locale: str) -> MembershipOut:
        if membership.enterprise_id:
            scope_type, scope_id = "enterprise", membership.enterprise_id
        elif membership.provider_id:
            scope_type, scope_id = "provider", membership.provider_id
        elif membership.park_id:
            scope_type, scope_id = "park", membership.park_id
        else:
            scope_type, scope_id = None, None
        return cls(id=membership.id, role=membership.role.value,
                   role_label=membership.role.label, scope_type=scope_type,
                   scope_id=scope_id, scope_name=membership.scope_name(locale),
                   provider_level=membership.provider_level and membership.provider_level.value)


class MeOut(BaseModel):
    id: int
    display_name: str
    email: str | None
    mobile: str | None
    locale: str | None
    memberships: list[MembershipOut]

    @classmethod
    def of(cls, user: User, locale: str) -> MeOut:
        return cls(id=user.id, display_name=user.display_name, email=user.email,
                   mobile=user.mobile, locale=user.locale,
                   memberships=[MembershipOut.of(m, locale) for m in user.active_memberships])


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(None, min_length=1, max_length=100)
    locale: str | None = Field(None, description="zh_CN or en")


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, description="What the token is for.")
    scopes: list[Literal["read", "write"]] = Field(
        default_factory=lambda: ["read"],  # type: ignore[arg-type]  # a Literal list
        min_length=1, max_length=2,
        description="Any of: read, write.")
    expires_in_days: int = Field(90, ge=1, le=365)
    login: str | None = Field(None, max_length=254,
                              description="Email or mobile; only when calling without a token.")
    password: str | None = Field(None, max_length=200,
                                 description="Only when calling without a token.")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(id=token.id, name=token.name, prefix=token.prefix,
                   scopes=token.scopes.split(), created_at=token.created_at,
                   expires_at=token.expires_at, revoked_at=token.revoked_at,
                   last_used_at=token.last_used_at)


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown this once only.")


class TokenPage(Page[TokenOut]):
    pass


class AccountDelete(BaseModel):
    """Deleting the account: say so, and prove it is you."""

    model_config = ConfigDict(extra="forbid")

    confirm: bool = Field(description="Must be true.")
    password: str = Field(min_length=1, max_length=200,
                          description="Your current password (a token alone is not enough).")
