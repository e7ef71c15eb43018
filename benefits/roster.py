"""Rosters: importing the employer's list of employees from CSV (UTF-8 or GBK) or XLSX,
with every row checked before anything is saved, and deactivating leavers.

The web page's import is a background job (``roster_import``, see ``core.jobs``): the
request checks that the file can be read and names its columns, the worker reads, checks
and saves it with its progress shown, and a file with a bad row still saves nothing.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import select

from benefits import budgets
from benefits.entitlements import park_day
from benefits.errors import RosterEntryNotFound, RosterImportInvalid
from benefits.models import RosterEntry
from core.accounts import services as accounts
from core.accounts.errors import InvalidLogin
from core.accounts.logins import split_login
from core.accounts.models import Enterprise, Membership, Role, User
from core.db import db
from core.errors import DomainError, InvalidInput, NotFound
from core.jobs import services as jobs
from core.jobs.models import Job
from core.policy import Action, require

#: Column → the headers we accept for it (English and the Chinese an HR export uses).
COLUMNS = {
    "employee_no": ("employee_no", "employee number", "工号", "员工编号"),
    "name": ("name", "姓名"),
    "email": ("email", "邮箱", "电子邮箱"),
    "mobile": ("mobile", "手机", "手机号"),
    "department": ("department", "部门"),
    "grade": ("grade", "职级", "级别"),
}
REQUIRED = ("employee_no", "name", "department", "grade")
MAX_ROWS = 20_000
XLSX_MAGIC = b"PK\x03\x04"
IMPORT_KIND = "roster_import"
#: In the invitation link a job is given, where each invitation's token goes.
TOKEN_PLACEHOLDER = "__token__"  # noqa: S105 - a marker, not a secret

logger = logging.getLogger(__name__)

#: ``progress(done, total)``: told as rows are checked or saved.
RowProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    row: int  #: as the admin sees it in their spreadsheet (the header is row 1)
    field: str
    message: str


@dataclass
class RosterRow:
    row: int
    employee_no: str
    name: str
    email: str | None
    mobile: str | None
    department: str
    grade: str


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def error_rows(self) -> set[int]:
        return {e.row for e in self.errors}

    @property
    def valid_rows(self) -> list[RosterRow]:
        return [r for r in self.rows if r.row not in self.error_rows]


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(fields={"file": _("The file is neither UTF-8 nor GBK text.")})


def _rows(data: bytes) -> Iterator[list[str]]:
    """The file's rows, one at a time (a spreadsheet is streamed, not loaded whole)."""
    if data.startswith(XLSX_MAGIC):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            assert sheet is not None  # a workbook always has an active sheet
            for row in sheet.iter_rows(values_only=True):
                yield ["" if cell is None else str(cell).strip() for cell in row]
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise InvalidInput(fields={"file": _("This spreadsheet cannot be read.")}) from exc
        return
    text = _decode(data)
    try:
        for line in csv.reader(io.StringIO(text)):
            yield [cell.strip() for cell in line]
    except csv.Error as exc:
        raise InvalidInput(fields={"file": _("This CSV file cannot be read.")}) from exc


def _read_table(data: bytes) -> list[list[str]]:
    return list(_rows(data))


def check_file(data: bytes) -> None:
    """What the request checks before it queues an import: the file can be read and its
    first row names the columns (quick: only that row is read). Raises InvalidInput with
    the same messages as ``parse_roster``."""
    for row in _rows(data):
        if any(row):
            _header_map(row)
            return
    raise InvalidInput(fields={"file": _("The file is empty.")})


def _header_map(header: list[str]) -> dict[str, int]:
    lookup = {alias.lower(): column for column, aliases in COLUMNS.items() for alias in aliases}
    found = {}
    for index, title in enumerate(header):
        column = lookup.get(title.strip().lower())
        if column:
            found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing or ("email" not in found and "mobile" not in found):
        raise InvalidInput(fields={"file": _(
            "The first row must name the columns: employee_no, name, email or mobile, "
            "department, grade (or 工号, 姓名, 邮箱 or 手机, 部门, 职级).")})
    return found


def parse_roster(data: bytes, *, progress: RowProgress | None = None) -> ParsedRoster:
    """Every row of the file (CSV in UTF-8 or GBK, or XLSX), checked; nothing is saved
    here. Raises InvalidInput when the file as a whole cannot be read."""
    return parse_table(_read_table(data), progress=progress)


def parse_table(table: list[list[str]], *,
                progress: RowProgress | None = None) -> ParsedRoster:
    """Every row of a table whose first row names the columns, checked."""
    table = [[str(cell).strip() for cell in row] for row in table if any(row)]
    if not table:
        raise InvalidInput(fields={"file": _("The file is empty.")})
    if len(table) > MAX_ROWS + 1:
        raise InvalidInput(fields={"file": _("At most %(count)s rows at a time.",
                                             count=MAX_ROWS)})
    columns = _header_map(table[0])
    parsed = ParsedRoster()
    seen: dict[str, dict[str, int]] = {"employee_no": {}, "email": {}, "mobile": {}}
    total = len(table) - 1
    if progress is not None:
        progress(0, total)
    for number, cells in enumerate(table[1:], start=2):
        if progress is not None:
            progress(number - 2, total)
        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row = RosterRow(row=number, employee_no=cell("employee_no"), name=cell("name"),
                        email=None, mobile=None, department=cell("department"),
                        grade=cell("grade"))
        for name in REQUIRED:
            if not getattr(row, name):
                parsed.errors.append(RowError(number, name, _("This field is required.")))
        for name in ("email", "mobile"):
            if cell(name):
                try:
                    email, mobile = split_login(cell(name))
                except InvalidLogin:
                    parsed.errors.append(RowError(number, name, _(
                        "Enter a valid email address or Chinese mobile number.")))
                    continue
                row.email = row.email or email
                row.mobile = row.mobile or mobile
        if not row.email and not row.mobile and not any(
                e.row == number and e.field in ("email", "mobile") for e in parsed.errors):
            parsed.errors.append(RowError(number, "email", _("Give an email or a mobile number.")))
        for name in ("employee_no", "email", "mobile"):
            value = getattr(row, name)
            if value and value in seen[name]:
                parsed.errors.append(RowError(number, name, _(
                    "Duplicate of row %(row)s.", row=seen[name][value])))
            elif value:
                seen[name][value] = number
        parsed.rows.append(row)
    if progress is not None:
        progress(total, total)
    return parsed


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    invited: int
    skipped_rows: int


def import_roster(enterprise: Enterprise, parsed: ParsedRoster, *, actor: User, now: datetime,
                  link_builder: Callable[[str], str], import_valid_rows: bool = False,
                  progress: RowProgress | None = None) -> ImportResult:
    """Save the roster: all of it, or (when the admin chooses) only its valid rows.
    People who already have an account get the employee role; others are invited.

    Raises Forbidden/NotFound, RosterImportInvalid (with the row errors) when any row is
    wrong and ``import_valid_rows`` is false.
    """
    require(actor, Action.MANAGE_BENEFITS, enterprise)
    if parsed.errors and not import_valid_rows:
        raise RosterImportInvalid(fields={f"row {e.row}.{e.field}": e.message
                                          for e in parsed.errors})
    existing = {e.employee_no: e for e in db.session.scalars(
        select(RosterEntry).where(RosterEntry.enterprise_id == enterprise.id))}
    created = updated = invited = 0
    joined: list[User] = []
    rows = parsed.valid_rows
    for done, row in enumerate(rows):
        if progress is not None:
            progress(done, len(rows))
        entry = existing.get(row.employee_no)
        if entry is None:
            entry = RosterEntry(enterprise=enterprise, employee_no=row.employee_no,
                                created_at=now, is_active=True)
            db.session.add(entry)
            created += 1
        else:
            updated += 1
        entry.name, entry.email, entry.mobile = row.name, row.email, row.mobile
        entry.department, entry.grade = row.department, row.grade
        login = row.email or row.mobile or ""  # a row names one or the other (parse_roster)
        user = accounts.find_user_by_login(login)
        if user is not None:
            if entry.user_id != user.id and entry.is_active:
                joined.append(user)
            entry.user = user
            accounts.add_membership(user, role=Role.EMPLOYEE, enterprise=enterprise, now=now)
        elif entry.is_active:
            accounts.invite(actor=actor, role=Role.EMPLOYEE, login=login,
                            enterprise=enterprise, now=now, link_builder=link_builder)
            invited += 1
    db.session.flush()
    for user in joined:  # mid-period: people with an account get this period's budget now
        welcome_joiner(enterprise.id, user.id, today=park_day(now), now=now)
    if progress is not None:
        progress(len(rows), len(rows))
    return ImportResult(created=created, updated=updated, invited=invited,
                        skipped_rows=len(parsed.error_rows))


# -- the import as a background job ------------------------------------------------------


def start_import(enterprise: Enterprise, data: bytes, *, actor: User, now: datetime,
                 filename: str, locale: str, invitation_link: str,
                 import_valid_rows: bool = False) -> Job:
    """Queue the import of a roster file (checked with ``check_file`` first).
    ``invitation_link`` holds ``TOKEN_PLACEHOLDER`` where each invitation's token goes.
    Raises Forbidden/NotFound, InvalidInput (the file), JobAlreadyRunning."""
    require(actor, Action.MANAGE_BENEFITS, enterprise)
    check_file(data)
    return jobs.submit(IMPORT_KIND, actor=actor, now=now, payload=data, locale=locale,
                       filename=filename, enterprise_id=enterprise.id,
                       options={"import_valid_rows": import_valid_rows,
                                "invitation_link": invitation_link})


def _row_errors(errors: Iterable[RowError]) -> list[dict[str, object]]:
    return [{"row": e.row, "field": e.field, "message": e.message} for e in errors]


def _stage(progress: jobs.Progress, name: str) -> RowProgress:
    def report(done: int, total: int) -> None:
        if progress.name != name:
            progress.stage(name, total)
        progress.advance(done)
    return report


def run_import_job(data: jobs.JobInput, progress: jobs.Progress) -> jobs.Outcome:
    """The worker's part: read, check every row, then save (all of it, or with the admin's
    choice only the valid rows). A file with a bad row fails the job and saves nothing."""
    enterprise = db.session.get(Enterprise, data.enterprise_id)
    if enterprise is None:
        raise NotFound()
    progress.stage("reading")
    try:
        parsed = parse_roster(data.payload, progress=_stage(progress, "checking"))
    except InvalidInput as exc:
        raise jobs.JobFailed(exc, errors=[{"row": 1, "field": name, "message": str(message)}
                                          for name, message in exc.fields.items()]) from exc
    import_valid_rows = bool(data.options.get("import_valid_rows"))
    if parsed.errors and not import_valid_rows:
        raise jobs.JobFailed(RosterImportInvalid(fields={
            f"row {e.row}.{e.field}": e.message for e in parsed.errors}),
            errors=_row_errors(parsed.errors))
    link = str(data.options.get("invitation_link") or "")
    progress.stage("saving", len(parsed.valid_rows))
    result = import_roster(enterprise, parsed, actor=data.actor, now=data.now,
                           link_builder=lambda token: link.replace(TOKEN_PLACEHOLDER, token),
                           import_valid_rows=import_valid_rows,
                           progress=_stage(progress, "saving"))
    return jobs.Outcome(counts={"created": result.created, "updated": result.updated,
                                "invited": result.invited,
                                "skipped_rows": result.skipped_rows},
                        errors=_row_errors(parsed.errors))


def may_see_import(user: User, job: Job) -> None:
    """An import is seen by whoever manages the enterprise's benefits."""
    enterprise = db.session.get(Enterprise, job.enterprise_id)
    if enterprise is None:
        raise NotFound()
    require(user, Action.MANAGE_BENEFITS, enterprise)


IMPORT_JOB = jobs.JobKind(
    name=IMPORT_KIND, run=run_import_job, authorise=may_see_import,
    stages={"reading": _l("Reading the file"), "checking": _l("Checking the rows"),
            "saving": _l("Saving the rows")})


def link_new_employee(user: User, enterprise_id: int) -> None:
    """When an invited employee creates their account, connect their roster entry."""
    entry = db.session.scalar(select(RosterEntry).where(
        RosterEntry.enterprise_id == enterprise_id, RosterEntry.user_id.is_(None),
        (RosterEntry.email == user.email) if user.email else (RosterEntry.mobile == user.mobile)))
    if entry is not None:
        entry.user = user


def welcome_joiner(enterprise_id: int, user_id: int, *, today: date, now: datetime) -> None:
    """Give someone who just joined the current period's budget (``budgets.allocate_joiner``).
    A failure here never undoes their joining: it is rolled back on its own and logged,
    and HR's allocation run lists them as still to allocate."""
    try:
        with db.session.begin_nested():
            budgets.allocate_joiner(enterprise_id, user_id, today=today, now=now)
    except DomainError:
        logger.exception("could not allocate a joiner's budget (user %s)", user_id)


def update_entry(entry: RosterEntry, *, department: str, grade: str, actor: User) -> None:
    require(actor, Action.MANAGE_BENEFITS, entry.enterprise)
    entry.department, entry.grade = department.strip(), grade.strip()


def deactivate_leaver(entry: RosterEntry, *, actor: User, now: datetime) -> int:
    """A leaver: off the roster, their employee role ended, their sessions ended, and their
    unspent budget returned to the enterprise. Returns how much was returned."""
    require(actor, Action.MANAGE_BENEFITS, entry.enterprise)
    entry.is_active = False
    entry.left_at = now
    returned = 0
    if entry.user is not None:
        for membership in entry.user.memberships:
            if membership.enterprise_id == entry.enterprise_id:
                membership.is_active = False
        entry.user.session_version += 1
        for programme in budgets.programmes_of(entry.enterprise_id):
            returned += budgets.return_unspent(programme, entry.user.id, now=now,
                                               reason=f"leaver {entry.employee_no}")
    return returned


def active_departments(enterprise_ids: list[int]) -> dict[int, str]:
    """Each active employee of these enterprises (an active employee role) and the
    department of their active roster entry ("" when they have none): the people, and
    groups, that aggregates for employers may cover. Leavers are not in it."""
    if not enterprise_ids:
        return {}
    people = dict.fromkeys(db.session.scalars(select(Membership.user_id).where(
        Membership.role == Role.EMPLOYEE, Membership.is_active.is_(True),
        Membership.enterprise_id.in_(enterprise_ids))), "")
    for user_id, department in db.session.execute(
            select(RosterEntry.user_id, RosterEntry.department).where(
                RosterEntry.enterprise_id.in_(enterprise_ids), RosterEntry.is_active.is_(True),
                RosterEntry.user_id.is_not(None)).order_by(RosterEntry.id)):
        if user_id in people:
            people[user_id] = department.strip()
    return people


def get_entry(enterprise: Enterprise, entry_id: int) -> RosterEntry:
    entry = db.session.get(RosterEntry, entry_id)
    if entry is None or entry.enterprise_id != enterprise.id:
        raise RosterEntryNotFound()
    return entry
