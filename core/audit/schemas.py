"""API shapes for the audit log."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from core.api.pagination import Page, PageQuery
from core.audit.actions import label_for
from core.audit.models import AuditEvent


class AuditPageQuery(PageQuery):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")


class AuditQuery(AuditPageQuery):
    model_config = ConfigDict(extra="ignore")
    actor_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Who acted.")
    action: str | None = Field(None, max_length=64,
                               description='An action code, or its start ending in "."')
    target_type: str | None = Field(None, max_length=40)
    target_id: str | None = Field(None, max_length=64)
    date_from: date | None = Field(None, description="First day, in the park's zone.")
    date_to: date | None = Field(None, description="Last day, in the park's zone.")


class AuditEventOut(BaseModel):
    id: int
    occurred_at: datetime = Field(description="UTC.")
    actor_id: int | None
    actor_role: str | None
    action: str = Field(description="A stable code such as auth.login.failed.")
    label: str = Field(description="The action in the reader's language (Accept-Language "
                                   "or the account's language); the code is what to "
                                   "match on.")
    target_type: str | None
    target_id: str | None
    subject_user_id: int | None = Field(description="Whose account or data this concerns.")
    ip: str | None
    user_agent: str | None
    details: dict[str, object]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(id=event.id, occurred_at=event.occurred_at, actor_id=event.actor_id,
                   actor_role=event.actor_role, action=event.action,
                   label=label_for(event.action),
                   target_type=event.target_type, target_id=event.target_id,
                   subject_user_id=event.subject_user_id, ip=event.ip,
                   user_agent=event.user_agent, details=dict(event.details or {}))


class AuditPage(Page[AuditEventOut]):
    pass
