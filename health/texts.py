"""Health in plain words, for pages and the API: flag evidence, recommendation reasons and
the crisis lines. Rendered in the reader's language at the edge."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.i18n import format_when
from health.recommendations import Reason
from health.screening import Flag
from health.vocabulary import NeedTag


@dataclass(frozen=True)
class CrisisLine:
    number: str
    label: object


#: Shown at once when PHQ-9 item 9 is answered above 0. Never next to anything for sale.
CRISIS_LINES = (
    CrisisLine("962525", _l("Shanghai mental health hotline (24 hours)")),
    CrisisLine("12356", _l("National psychological assistance hotline")),
    CrisisLine("120", _l("Emergency: if you might hurt yourself now, call at once")),
)
CRISIS_TITLE = _l("You do not have to face this alone")
# PHQ-9 item 9 asks about the last two weeks; 120 is an ambulance, not a counsellor.
CRISIS_MESSAGE = _l("In the questionnaire you said that lately you have had thoughts of being "
                    "better off dead or of hurting yourself. Please reach someone who can help "
                    "now: the lines below are free and confidential, and answered by trained "
                    "people.")


def flag_evidence(flag: Flag) -> str:
    """Which value raised the flag, and when: "Your blood pressure was 145/95 mmHg on
    12 Oct 2026."."""
    if flag.subject == "smoking":
        return _("You told us that you smoke.")
    if flag.observed_on is None:
        return _("Your %(subject)s: %(value)s.", subject=flag.subject_label, value=flag.value)
    return _("Your %(subject)s was %(value)s on %(date)s.", subject=flag.subject_label,
             value=flag.value, date=format_date(flag.observed_on, "long"))


def family_evidence(flag: Flag, name: str) -> str:
    """The same for a family member's value: "陈建国's blood pressure was 152/92 mmHg on
    21 Nov 2026."."""
    if flag.observed_on is None:
        return _("%(name)s's %(subject)s: %(value)s.", name=name, subject=flag.subject_label,
                 value=flag.value)
    return _("%(name)s's %(subject)s was %(value)s on %(date)s.", name=name,
             subject=flag.subject_label, value=flag.value,
             date=format_date(flag.observed_on, "long"))


def reason_text(reason: Reason) -> str:
    if reason.kind == "flag" and reason.flag is not None:
        return flag_evidence(reason.flag)
    if reason.kind == "goal" and reason.tag:
        return _("It serves your goal: %(goal)s.", goal=NeedTag(reason.tag).label)
    if reason.kind == "soon" and reason.when:
        return _("Next available %(when)s.", when=format_when(reason.when))
    if reason.kind == "no_slot":
        return _("No free time in the next 14 days.")
    if reason.kind == "budget":
        return _("Within the budget you have left.")
    if reason.kind == "over_budget":
        return _("Costs more than the budget you have left.")
    if reason.kind == "language":
        return _("Offered in your language.")
    if reason.kind == "delivery":
        return _("Offered the way you prefer.")
    return ""
