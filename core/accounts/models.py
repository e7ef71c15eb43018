"""Typed models for tenancy and people. Pure: no requests, no I/O."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model, UTCDateTime, str_enum


class Role(StrEnum):
    EMPLOYEE = "employee"
    ENTERPRISE_ADMIN = "enterprise_admin"
    PROVIDER_STAFF = "provider_staff"
    COMMITTEE_MEMBER = "committee_member"
    PLATFORM_ADMIN = "platform_admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.EMPLOYEE: _l("Employee"),
    Role.ENTERPRISE_ADMIN: _l("Enterprise admin"),
    Role.PROVIDER_STAFF: _l("Provider staff"),
    Role.COMMITTEE_MEMBER: _l("Committee member"),
    Role.PLATFORM_ADMIN: _l("Platform admin"),
}


class ProviderLevel(StrEnum):
    OWNER = "owner"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return str(PROVIDER_LEVEL_LABELS[self])


PROVIDER_LEVEL_LABELS = {ProviderLevel.OWNER: _l("Owner"), ProviderLevel.STAFF: _l("Staff")}


class ProviderStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    SUSPENDED = "suspended"


class Park(Model):
    """A business park: the outermost tenant. Owns enterprises, providers and a committee."""

    __tablename__ = "parks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    committee_name_zh: Mapped[str] = mapped_column(String(200), default="")
    committee_name_en: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    default_locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    enterprises: Mapped[list[Enterprise]] = relationship(back_populates="park",
                                                         order_by="Enterprise.id")
    providers: Mapped[list[ProviderOrganisation]] = relationship(
        back_populates="park", order_by="ProviderOrganisation.id")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class Enterprise(Model):
    """An employer in a park. Its invite code lets employees sign themselves up."""

    __tablename__ = "enterprises"
    __table_args__ = (UniqueConstraint("park_id", "name_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    invite_code: Mapped[str] = mapped_column(String(32), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    park: Mapped[Park] = relationship(back_populates="enterprises")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class ProviderOrganisation(Model):
    """A provider as a tenant (who its staff are). Its catalogue lives in ``providers``."""

    __tablename__ = "provider_organisations"
    __table_args__ = (UniqueConstraint("park_id", "name_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    status: Mapped[ProviderStatus] = mapped_column(str_enum(ProviderStatus),
                                                  default=ProviderStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    park: Mapped[Park] = relationship(back_populates="providers")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    @property
    def is_verified(self) -> bool:
        return self.status is ProviderStatus.VERIFIED


class User(Model):
    """A person who can log in, by email or by mobile number."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR mobile IS NOT NULL", name="has_login"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    mobile: Mapped[str | None] = mapped_column(String(20), unique=True)  #: E.164
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped to end every session at once (password change, deactivation).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", order_by="Membership.id", cascade="all, delete-orphan")

    # Flask-Login's protocol, written out so that the session id carries the version.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def active_memberships(self) -> list[Membership]:
        return [m for m in self.memberships if m.is_active]

    def has_role(self, role: Role) -> bool:
        return any(m.role is role for m in self.active_memberships)

    @property
    def login_name(self) -> str:
        return self.email or self.mobile or ""


class Membership(Model):
    """A role a user holds, scoped to what it belongs to.

    employee / enterprise_admin → an enterprise; provider_staff → a provider organisation
    (owner or staff); committee_member → a park; platform_admin → everything.
    """

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(
            "(role IN ('employee', 'enterprise_admin') AND enterprise_id IS NOT NULL"
            " AND provider_id IS NULL)"
            " OR (role = 'provider_staff' AND provider_id IS NOT NULL"
            " AND enterprise_id IS NULL AND provider_level IS NOT NULL)"
            " OR (role = 'committee_member' AND park_id IS NOT NULL"
            " AND enterprise_id IS NULL AND provider_id IS NULL)"
            " OR (role = 'platform_admin' AND enterprise_id IS NULL AND provider_id IS NULL)",
            name="scope_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider_organisations.id"),
                                                    index=True)
    provider_level: Mapped[ProviderLevel | None] = mapped_column(str_enum(ProviderLevel))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="memberships")
    park: Mapped[Park | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    provider: Mapped[ProviderOrganisation | None] = relationship()

    def scope_name(self, locale: str) -> str:
        for scope in (self.enterprise, self.provider, self.park):
            if scope is not None:
                return scope.name(locale)
        return ""


class Invitation(Model):
    """A one-time link that creates an account (or adds a role) when accepted."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider_organisations.id"))
    provider_level: Mapped[ProviderLevel | None] = mapped_column(str_enum(ProviderLevel))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    park: Mapped[Park | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    provider: Mapped[ProviderOrganisation | None] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])

    def is_open(self, *, now: datetime) -> bool:
        return self.accepted_at is None and now < self.expires_at

    @property
    def recipient(self) -> str:
        return self.email or self.mobile or ""


class ApiScope(StrEnum):
    READ = "read"
    WRITE = "write"

    @property
    def label(self) -> str:
        return str(SCOPE_LABELS[self])


SCOPE_LABELS = {ApiScope.READ: _l("Read"), ApiScope.WRITE: _l("Write")}


class ApiToken(Model):
    """A personal access token for the JSON API. Only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  #: shown so that people can tell tokens apart
    scopes: Mapped[str] = mapped_column(String(100))  #: space-separated ApiScope values
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[ApiScope]:
        return frozenset(ApiScope(s) for s in self.scopes.split())

    def is_usable(self, *, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
