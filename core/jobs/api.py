"""``GET /api/v1/jobs/<id>``: a background job's progress and outcome, for whoever may see
it (other tenants' jobs do not exist: 404 ``job_not_found``)."""

from __future__ import annotations

from core.accounts.models import User
from core.api.openapi import ApiBlueprint
from core.clock import utcnow
from core.jobs import services
from core.jobs.schemas import JobOut

bp = ApiBlueprint("jobs_api", __name__, tag="jobs")


@bp.operation("/jobs/<int:job_id>", method="GET", response=JobOut, errors=(403, 404),
              summary="A background job's progress, then its summary or its errors")
def job_status(user: User, job_id: int) -> JobOut:
    """Poll until ``status`` is ``succeeded`` or ``failed``. A failed job saved nothing;
    ``error.code`` says why and ``errors`` lists each wrong row."""
    return JobOut.of(services.get_job(job_id, actor=user, now=utcnow()))
