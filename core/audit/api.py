"""The audit log over the API: the platform admin's search and each person's own part."""

from __future__ import annotations

from core.accounts.models import User
from core.api.openapi import ApiBlueprint, ApiResult
from core.api.pagination import paginate
from core.audit.schemas import AuditEventOut, AuditPage, AuditPageQuery, AuditQuery
from core.audit.services import AuditFilter, about_owner, search
from core.clock import zone_of
from core.policy import Action, require

bp = ApiBlueprint("audit_api", __name__, tag="audit")


@bp.operation("/audit-events", method="GET", query=AuditQuery, response=AuditPage,
              summary="Search the audit log (platform admins), newest first", errors=(403,))
def search_events(user: User, query: AuditQuery) -> ApiResult:
    require(user, Action.VIEW_AUDIT_LOG)
    statement = search(AuditFilter(
        actor_id=query.actor_id, action=query.action, target_type=query.target_type,
        target_id=query.target_id, on_or_after=query.date_from, on_or_before=query.date_to),
        zone=zone_of())
    return paginate(statement, query, AuditEventOut.of)


@bp.operation("/me/audit-events", method="GET", query=AuditPageQuery, response=AuditPage,
              summary="What the audit log holds about your account and data")
def my_events(user: User, query: AuditPageQuery) -> ApiResult:
    return paginate(about_owner(user), query, AuditEventOut.of)
