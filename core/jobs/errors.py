"""Refusals about background jobs, each with a stable code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, NotFound

if TYPE_CHECKING:
    from core.jobs.models import Job


class JobNotFound(NotFound):
    code = "job_not_found"
    default_message = _l("There is no such import.")


class JobAlreadyRunning(Conflict):
    code = "job_already_running"
    default_message = _l("An import of this is already under way. Wait for it to finish, "
                         "then try again.")

    def __init__(self, *, job: Job) -> None:
        super().__init__()
        self.job = job  #: the unfinished one, for a link to its progress
