"""API shapes for people, roles and tokens (pydantic; also the OpenAPI components)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.accounts.models import ApiToken, Invitation, Membership, User
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


# -- sign-up and invitations ---------------------------------------------------------------


class SignUp(BaseModel):
    """An employee's own account, with the invite code their employer gave them."""

    model_config = ConfigDict(extra="forbid")
    invite_code: str = Field(min_length=1, max_length=32,
                             description="The enterprise's invite code (any case).")
    login: str = Field(min_length=1, max_length=254, description="Email or mobile number.")
    display_name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8, max_length=200)
    locale: str | None = Field(None, description="zh_CN or en")


class InvitationAccept(BaseModel):
    """Use an invitation's one-time token (the end of its link). With a token of your own:
    the role is added to your account. Without: a new account is made, so ``display_name``
    and ``password`` are needed."""

    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=200,
                       description="The token at the end of the invitation's link.")
    display_name: str | None = Field(None, min_length=1, max_length=100)
    password: str | None = Field(None, min_length=8, max_length=200)


class InviteIn(BaseModel):
    """An enterprise admin invites an employee; a provider owner invites staff."""

    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=1, max_length=254,
                       description="The invitee's email (the link is mailed) or mobile.")


class PartnerInviteIn(InviteIn):
    """A platform admin invites a partner: say the role and where it applies."""

    role: Literal["enterprise_admin", "provider_staff", "committee_member", "platform_admin"]
    enterprise_id: int | None = Field(None, ge=1, description="For enterprise_admin.")
    provider_id: int | None = Field(None, ge=1, description="For provider_staff.")
    park_id: int | None = Field(None, ge=1, description="For committee_member.")
    provider_level: Literal["owner", "staff"] = Field(
        "owner", description="For provider_staff: owner (manages the provider) or staff.")


class RoleInvitationOut(BaseModel):
    id: int
    recipient: str = Field(description="The email or mobile invited.")
    role: str
    role_label: str
    enterprise_id: int | None
    provider_id: int | None
    park_id: int | None
    provider_level: str | None
    status: Literal["open", "accepted", "expired"]
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None

    @classmethod
    def of(cls, invitation: Invitation, *, now: datetime) -> RoleInvitationOut:
        status: Literal["open", "accepted", "expired"] = (
            "accepted" if invitation.accepted_at is not None
            else "open" if invitation.is_open(now=now) else "expired")
        return cls(id=invitation.id, recipient=invitation.recipient,
                   role=invitation.role.value, role_label=invitation.role.label,
                   enterprise_id=invitation.enterprise_id, provider_id=invitation.provider_id,
                   park_id=invitation.park_id,
                   provider_level=invitation.provider_level and invitation.provider_level.value,
                   status=status, created_at=invitation.created_at,
                   expires_at=invitation.expires_at, accepted_at=invitation.accepted_at)


class RoleInvitationCreated(RoleInvitationOut):
    link: str = Field(description="The one-time link (also mailed to an email address); "
                                  "shown this once only.")


class RoleInvitationList(BaseModel):
    items: list[RoleInvitationOut] = Field(description="The newest 50, newest first.")
