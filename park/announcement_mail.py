"""An announcement's e-mail to every employee of the park, written to the mail outbox by a
job instead of in the committee's request: to 20,000 employees that was seconds of building
messages while the page waited. The request queues the job and returns; the worker (or,
under test and with ``JOBS_MODE=inline``, the request itself) writes one outbox message per
employee in their language, and the worker's mail sender delivers them in batches."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.accounts.models import Park, User
from core.db import db
from core.errors import NotFound
from core.jobs import services as jobs
from core.jobs.models import Job
from core.policy import Action, require
from park import notifications
from park.models import Announcement

KIND = "park_announcement_mail"


def queue(announcement: Announcement, *, actor: User, park: Park, now) -> Job:
    return jobs.submit(KIND, actor=actor, now=now, payload=b"", locale=park.default_locale,
                       subject_id=announcement.id)


def _write_messages(data: jobs.JobInput, progress: jobs.Progress) -> jobs.Outcome:
    from park.services import park_employees

    announcement = db.session.get(Announcement, data.subject_id)
    if announcement is None:
        raise NotFound()
    park = db.session.get(Park, announcement.park_id)
    recipients = park_employees(park)
    progress.stage("writing", total=len(recipients))
    notifications.announcement_posted(announcement, recipients=recipients,
                                      park_default_locale=park.default_locale)
    progress.advance(len(recipients))
    return jobs.Outcome(counts={"recipients": len(recipients)})


def _may_see(user: User, job: Job) -> None:
    announcement = db.session.get(Announcement, job.subject_id)
    if announcement is None:
        raise NotFound()
    require(user, Action.MANAGE_PARK_EVENTS, db.session.get(Park, announcement.park_id))


JOB = jobs.JobKind(name=KIND, run=_write_messages, authorise=_may_see,
                   stages={"writing": _l("Writing the e-mails")})
