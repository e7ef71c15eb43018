"""Outcome indicators for a park's committee (park-wide) and an enterprise (its own
employees), as k-anonymous aggregates: nothing here names a person, and every figure
covers at least ``REPORT_MIN_GROUP`` employees.

Suppression rule (the same for every indicator and year, ``core.aggregates``): a share is
shown only when its group (the denominator), the people it counts (the numerator) and the
people it does not count each number at least k; otherwise it is withheld, with the
reason, and so are its counts. Zero is never shown.

What employers and committees read is a release (``published_for_enterprise``,
``published_for_park``): computed once a month (once for good for a past year) over the
scope's adopted cohort, which changes only when at least k people joined, left or moved,
and stored; so deactivating and reactivating one person changes no figure.

Indicators, for the employees of the scope's adopted cohort (active employee memberships
when it was adopted):
- check-up completion: completed ÷ eligible in the year's check-up campaigns
  (``prevention.queries.eligible_and_completed_user_ids``);
- each risk flag (blood pressure, glucose, lipids, weight, uric acid): employees flagged by
  their check-ups measured in the year ÷ employees with a check-up that year, this year
  against last year (health's own screening on that year's check-ups only);
- flagged employees under a care plan: of those flagged this year, the share with a care
  plan under an agreement that overlaps the year;
- meeting their goals: of the employees with such a plan, those whose latest measurement
  meets every goal of the plan;
- participation: employees with a confirmed park event registration (events), or a
  confirmed or attended booking (services), in the year ÷ employees.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import format_percent
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from benefits import roster
from booking.models import Booking, BookingStatus
from care.models import AgreementStatus, CareAgreement, CarePlan, HomeMeasurement
from care.plans import meets
from core import aggregates, charts
from core.accounts.models import Enterprise, Membership, Park, Role
from core.db import db
from health.models import CheckUp, HealthProfile
from health.screening import screen
from health.vocabulary import NeedTag
from park.models import EventSession, Registration, RegistrationStatus
from prevention import queries as prevention_queries

#: Check-up based flags, by the need they raise (questionnaires and lifestyle are left out:
#: they are not part of the yearly check-up).
FLAG_NEEDS = (NeedTag.HYPERTENSION, NeedTag.HIGH_GLUCOSE, NeedTag.DYSLIPIDAEMIA,
              NeedTag.OVERWEIGHT, NeedTag.HYPERURICAEMIA)
FLAG_LABELS = {NeedTag.HYPERTENSION: _l("Raised blood pressure"),
               NeedTag.HIGH_GLUCOSE: _l("Raised glucose"),
               NeedTag.DYSLIPIDAEMIA: _l("Raised lipids"),
               NeedTag.OVERWEIGHT: _l("Overweight or central obesity"),
               NeedTag.HYPERURICAEMIA: _l("Raised uric acid")}


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int
    k: int

    @property
    def suppressed(self) -> bool:
        return not aggregates.share_is_shown(self.numerator, self.denominator, k=self.k)

    @property
    def rate(self) -> float | None:
        if self.suppressed or not self.denominator:
            return None
        return self.numerator / self.denominator

    def public(self) -> dict:
        """What may be shown: counts and rate, or nothing but the reason."""
        if self.suppressed:
            return {"suppressed": True, "rate": None, "numerator": None,
                    "denominator": None}
        return {"suppressed": False, "rate": self.rate, "numerator": self.numerator,
                "denominator": self.denominator}

    @classmethod
    def of_public(cls, public: dict, k: int) -> Share:
        """A share from a stored release: a withheld one keeps no count at all."""
        if public["suppressed"]:
            return cls(0, 0, k)
        return cls(public["numerator"], public["denominator"], k)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    this_year: Share
    last_year: Share | None = None


@dataclass(frozen=True)
class Outcomes:
    scope: str
    year: int
    k: int
    employees: int
    indicators: list[Indicator]
    #: When the figures shown were computed (None: computed live, never shown to employers).
    released_at: datetime | None = None


def _year_bounds(year: int, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    return (datetime.combine(date(year, 1, 1), time(0), tzinfo=tz),
            datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=tz))


def _employees(enterprise_ids: Collection[int]) -> set[int]:
    if not enterprise_ids:
        return set()
    return set(db.session.scalars(select(Membership.user_id).where(
        Membership.role == Role.EMPLOYEE, Membership.is_active.is_(True),
        Membership.enterprise_id.in_(list(enterprise_ids)))))


def flagged_by_year(user_ids: set[int], year: int) -> tuple[set[int], dict[NeedTag, set[int]]]:
    """Who had a check-up measured in ``year``, and who of them each check-up flag raised
    (health's own screening of that year's check-ups only)."""
    if not user_ids:
        return set(), {}
    rows = db.session.scalars(select(CheckUp).where(
        CheckUp.user_id.in_(list(user_ids)), CheckUp.dependant_id.is_(None),
        CheckUp.measured_on >= date(year, 1, 1),
        CheckUp.measured_on < date(year + 1, 1, 1)))
    by_user: dict[int, list] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append((row.measured_on, row.readings))
    sexes = {p.user_id: p.data.get("sex") for p in db.session.scalars(
        select(HealthProfile).where(HealthProfile.user_id.in_(list(by_user))))} \
        if by_user else {}
    flagged: dict[NeedTag, set[int]] = {need: set() for need in FLAG_NEEDS}
    for user_id, checkups in by_user.items():
        result = screen(checkups=checkups, questionnaires=[],
                        profile={"sex": sexes.get(user_id)} if sexes.get(user_id) else {})
        for flag in result.flags:
            if flag.need in flagged:
                flagged[flag.need].add(user_id)
    return set(by_user), flagged


def _plans_in_year(user_ids: set[int], start: datetime, end: datetime
                   ) -> dict[int, tuple[CareAgreement, CarePlan]]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(CareAgreement, CarePlan).join(
        CarePlan, CarePlan.agreement_id == CareAgreement.id).where(
        CareAgreement.user_id.in_(list(user_ids)), CareAgreement.starts_at < end,
        CareAgreement.ends_at > start).order_by(CareAgreement.starts_at)).all()
    found: dict[int, tuple[CareAgreement, CarePlan]] = {}
    for agreement, plan in rows:
        if agreement.status is AgreementStatus.CANCELLED and agreement.cancelled_at <= start:
            continue
        found[agreement.user_id] = (agreement, plan)  # the latest one counts
    return found


def _meets_goals(agreement: CareAgreement, plan: CarePlan, end: datetime) -> bool:
    rows = list(db.session.scalars(select(HomeMeasurement).where(
        HomeMeasurement.agreement_id == agreement.id, HomeMeasurement.measured_at < end)
        .order_by(HomeMeasurement.measured_at.desc(), HomeMeasurement.id.desc())))
    goals = plan.goals
    if not goals:
        return False
    for goal in goals:
        latest = next((r for r in rows if r.kind.value == goal["kind"]), None)
        if latest is None or not meets(goal, latest.data):
            return False
    return True


def _participants_events(user_ids: set[int], start: datetime, end: datetime) -> set[int]:
    if not user_ids:
        return set()
    return set(db.session.scalars(select(Registration.user_id).join(
        EventSession, EventSession.id == Registration.session_id).where(
        Registration.user_id.in_(list(user_ids)),
        Registration.status == RegistrationStatus.CONFIRMED,
        EventSession.starts_at >= start, EventSession.starts_at < end)))


def _participants_services(user_ids: set[int], start: datetime, end: datetime) -> set[int]:
    if not user_ids:
        return set()
    return set(db.session.scalars(select(Booking.client_id).where(
        Booking.client_id.in_(list(user_ids)),
        Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.ATTENDED]),
        Booking.starts_at >= start, Booking.starts_at < end)))


def compute(*, scope: str, enterprise_ids: list[int], year: int, zone: str,
            k: int, employees: set[int] | None = None) -> Outcomes:
    """Every indicator for ``employees`` (by default the active employees of
    ``enterprise_ids``) in ``year``. Live figures: employers read ``published_*``."""
    if employees is None:
        employees = _employees(enterprise_ids)
    start, end = _year_bounds(year, zone)
    last_start, last_end = _year_bounds(year - 1, zone)
    indicators: list[Indicator] = []

    def share(n: int, d: int) -> Share:
        return Share(n, d, k)

    eligible, completed = prevention_queries.eligible_and_completed_user_ids(
        enterprise_ids=enterprise_ids, year=year)
    eligible_last, completed_last = prevention_queries.eligible_and_completed_user_ids(
        enterprise_ids=enterprise_ids, year=year - 1)
    # leavers (and anyone outside the cohort) count neither as invited nor as done
    eligible, eligible_last = eligible & employees, eligible_last & employees
    indicators.append(Indicator(
        "checkup_completion", str(_l("Check-up completion")),
        share(len(completed & eligible), len(eligible)),
        share(len(completed_last & eligible_last), len(eligible_last))))

    screened, flagged = flagged_by_year(employees, year)
    screened_last, flagged_last = flagged_by_year(employees, year - 1)
    for need in FLAG_NEEDS:
        indicators.append(Indicator(
            f"flag_{need.value}", str(FLAG_LABELS[need]),
            share(len(flagged.get(need, ())), len(screened)),
            share(len(flagged_last.get(need, ())), len(screened_last))))

    def care(period_start: datetime, period_end: datetime, flagged_any: set[int]
             ) -> tuple[Share, Share]:
        plans = _plans_in_year(employees, period_start, period_end)
        under = len(flagged_any & set(plans))
        meeting = sum(1 for agreement, plan in plans.values()
                      if _meets_goals(agreement, plan, period_end))
        return share(under, len(flagged_any)), share(meeting, len(plans))

    any_now = set().union(*flagged.values()) if flagged else set()
    any_last = set().union(*flagged_last.values()) if flagged_last else set()
    under_now, meeting_now = care(start, end, any_now)
    under_last, meeting_last = care(last_start, last_end, any_last)
    indicators.append(Indicator("flagged_under_care_plan",
                                str(_l("Flagged employees under a care plan")),
                                under_now, under_last))
    indicators.append(Indicator("meeting_goals", str(_l("Employees meeting their care goals")),
                                meeting_now, meeting_last))
    indicators.append(Indicator(
        "event_participation", str(_l("Took part in park events")),
        share(len(_participants_events(employees, start, end)), len(employees)),
        share(len(_participants_events(employees, last_start, last_end)), len(employees))))
    indicators.append(Indicator(
        "service_participation", str(_l("Used services (bookings)")),
        share(len(_participants_services(employees, start, end)), len(employees)),
        share(len(_participants_services(employees, last_start, last_end)), len(employees))))
    return Outcomes(scope=scope, year=year, k=k, employees=len(employees)
                    if len(employees) >= k else 0, indicators=indicators)


def for_park(park: Park, *, year: int, k: int) -> Outcomes:
    ids = [e.id for e in park.enterprises]
    return compute(scope=f"park:{park.id}", enterprise_ids=ids, year=year, zone=park.timezone,
                   k=k)


def for_enterprise(enterprise: Enterprise, *, year: int, k: int) -> Outcomes:
    return compute(scope=f"enterprise:{enterprise.id}", enterprise_ids=[enterprise.id],
                   year=year, zone=enterprise.park.timezone, k=k)


def _label(key: str) -> str:
    fixed = {"checkup_completion": _l("Check-up completion"),
             "flagged_under_care_plan": _l("Flagged employees under a care plan"),
             "meeting_goals": _l("Employees meeting their care goals"),
             "event_participation": _l("Took part in park events"),
             "service_participation": _l("Used services (bookings)")}
    fixed.update({f"flag_{need.value}": label for need, label in FLAG_LABELS.items()})
    return str(fixed.get(key, key))


def _published(scope: str, enterprise_ids: list[int], *, year: int, zone: str,
               now: datetime) -> Outcomes:
    k = aggregates.min_group()
    this_year = now.astimezone(ZoneInfo(zone)).year
    # a past year is released once for good; the current one once a month
    period = aggregates.FINAL if year < this_year else now.astimezone(ZoneInfo(zone)
                                                                       ).strftime("%Y-%m")

    def figures() -> dict:
        cohort = aggregates.adopted_cohort(scope, roster.active_departments(enterprise_ids),
                                           k=k, now=now)
        result = compute(scope=scope, enterprise_ids=enterprise_ids, year=year, zone=zone,
                         k=k, employees=set(cohort))
        return {"k": k, "employees": result.employees, "indicators": [
            {"key": i.key, "this_year": i.this_year.public(),
             "last_year": i.last_year.public() if i.last_year else None}
            for i in result.indicators]}

    stored = aggregates.release(f"care-outcomes:{scope}:{year}", period=period,
                                compute=figures, now=now)
    data, k = stored.figures, stored.figures["k"]
    return Outcomes(scope=scope, year=year, k=k, employees=data["employees"],
                    released_at=stored.released_at, indicators=[Indicator(
                        row["key"], _label(row["key"]), Share.of_public(row["this_year"], k),
                        Share.of_public(row["last_year"], k) if row["last_year"] else None)
                        for row in data["indicators"]])


def published_for_park(park: Park, *, year: int, now: datetime) -> Outcomes:
    """What the park's committee reads: this month's release (or the year's final one)."""
    return _published(f"park:{park.id}", [e.id for e in park.enterprises], year=year,
                      zone=park.timezone, now=now)


def published_for_enterprise(enterprise: Enterprise, *, year: int, now: datetime
                             ) -> Outcomes:
    """What the enterprise's admins read: this month's release (or the year's final one)."""
    return _published(f"enterprise:{enterprise.id}", [enterprise.id], year=year,
                      zone=enterprise.park.timezone, now=now)


# -- presentation: chart and CSV ---------------------------------------------------------


def _pct(share: Share | None) -> str:
    if share is None:
        return ""
    rate = share.rate
    return "" if rate is None else f"{rate * 100:.0f}%"


def chart(outcomes: Outcomes, *, title: str, this_label: str, last_label: str,
          suppressed_label: str, axis_label: str = "%") -> Markup:
    """Paired horizontal bars (this year, last year) per indicator, as inline SVG with a
    visible title, a 0–100 % axis (Babel percentages), and the legend below the plot; a
    share too small to show (k-anonymity) says so instead of drawing a bar. The table next
    to it is the text alternative. No script."""
    bar, gap, label_w, width = 12, 10, 130, 360
    rows = outcomes.indicators
    plot = width - label_w - 48
    top = charts.TITLE_H + 6
    plot_h = len(rows) * (2 * bar + gap) + gap
    base = top + plot_h
    legend, legend_h = charts.legend_row([(this_label, "#0b6b4f"), (last_label, "#9bb8ae")],
                                      base + 36, width)
    parts = [f'<svg class="care-chart" viewBox="0 0 {width} {int(base + 40 + legend_h)}" '
             f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
             f'<title>{escape(title)}</title>'
             f'<text class="chart-title" x="0" y="16" font-size="14" font-weight="bold" '
             f'fill="{charts.INK}" aria-hidden="true">{escape(title)}</text>']
    for t in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + plot * t
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{base}" '
                     f'stroke="{charts.GRID}"/><text class="chart-tick" x="{x:.1f}" '
                     f'y="{base + 14}" font-size="10" text-anchor="middle" '
                     f'fill="{charts.MUTED}">{escape(format_percent(t))}</text>')
    parts.append(f'<text class="chart-axis-label" x="{label_w + plot / 2:.1f}" '
                 f'y="{base + 30}" font-size="11" text-anchor="middle" fill="{charts.INK}">'
                 f'{escape(axis_label)}</text>')
    for n, ind in enumerate(rows):
        y = top + gap + n * (2 * bar + gap)
        parts.append(f'<text x="0" y="{y + bar + 3}" font-size="12">'
                     f'{escape(charts.fit_text(ind.label, label_w - 6, 12))}</text>')
        for offset, (share, colour) in enumerate(((ind.this_year, "#0b6b4f"),
                                                 (ind.last_year, "#9bb8ae"))):
            yy = y + offset * bar
            rate = share.rate if share is not None else None
            if rate is None:
                parts.append(f'<text x="{label_w + 2}" y="{yy + bar - 2}" font-size="10" '
                             f'fill="#5b6663">{escape(suppressed_label)}</text>')
                continue
            parts.append(f'<rect x="{label_w}" y="{yy}" width="{plot * rate:.1f}" '
                         f'height="{bar - 1}" fill="{colour}"></rect>'
                         f'<text x="{label_w + plot * rate + 4:.1f}" y="{yy + bar - 2}" '
                         f'font-size="10">{escape(format_percent(rate))}</text>')
    parts.append(legend)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped


def to_csv(outcomes: Outcomes, headers: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for ind in outcomes.indicators:
        row = [ind.key, _safe(ind.label)]
        for share in (ind.this_year, ind.last_year):
            public = share.public() if share is not None else None
            if public is None or public["suppressed"]:
                row += ["", "", "", "suppressed" if public else ""]
            else:
                row += [public["numerator"], public["denominator"],
                        f"{public['rate']:.3f}", ""]
        writer.writerow(row)
    return "\ufeff" + out.getvalue()


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
