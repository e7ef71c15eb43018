"""The benefits package's refusals.

The world's enterprise has an unfunded programme and a roster entry without an account;
the employee holds a priced booking (``world.priced_booking``). Card payments are off."""

from __future__ import annotations

from benefits.models import RosterEntry
from core.db import db
from tests.authz.harness import World
from tests.refusals.harness import refusal

E = "/enterprises/<int:enterprise_id>"
P = f"{E}/programmes/<int:programme_id>"
CSV_HEAD = "employee_no,name,email,department,grade\n"


def roster_entry_is_the_employee(w: World) -> None:
    """The roster's entry is the world's employee: an allocation now needs money the
    unfunded programme does not hold."""
    db.session.get(RosterEntry, w.roster_entry.id).user_id = w.users["employee"].id


REFUSALS = [
    refusal("POST", f"{P}/allocate", "enterprise_admin", 409,
            "the programme holds less than the period needs",
            arrange=roster_entry_is_the_employee),
    refusal("POST", f"/api/v1{P}/allocations", "enterprise_admin", 409,
            "the programme holds less than the period needs",
            arrange=roster_entry_is_the_employee),
    refusal("POST", f"{P}/funding", "platform_admin", 302, "no bank reference",
            body=lambda w: {"amount": "100"}),
    refusal("POST", f"/api/v1{P}/funding", "platform_admin", 422, "nothing received",
            body=lambda w: {"amount_minor": 0, "bank_reference": "M-2"}),
    refusal("POST", f"{P}/top-up", "enterprise_admin", 302, "an empty form",
            body=lambda w: {}),
    refusal("POST", f"{P}/top-up", "enterprise_admin", 302, "card payments are off",
            body=lambda w: {"amount": "100", "request_key": "k1"}),
    refusal("POST", f"{E}/roster/<int:entry_id>", "enterprise_admin", 302,
            "a department longer than 100 characters",
            body=lambda w: {"department": "d" * 101, "grade": "P7"}),
    refusal("PATCH", f"/api/v1{E}/roster/<int:entry_id>", "enterprise_admin", 422,
            "a department longer than 100 characters",
            body=lambda w: {"department": "d" * 101, "grade": "P7"}),
    refusal("POST", f"/api/v1{E}/roster", "enterprise_admin", 422,
            "a row without an e-mail address",
            body=lambda w: {"csv": CSV_HEAD + "M2,新人,,d,g\n"}),
    refusal("POST", f"/api/v1{E}/roster/imports", "enterprise_admin", 422,
            "a file that names none of the columns", body=lambda w: {"csv": "a,b\n1,2\n"}),
    refusal("POST", f"{P}/edit", "enterprise_admin", 422,
            "a grade rule with no amount, among otherwise good changes",
            body=lambda w: {"name": "改名", "amount": "900", "starts_on": "2026-01-01",
                            "rules-0-grade": "P7", "rules-0-amount": ""}),
    refusal("PUT", f"/api/v1{P}", "enterprise_admin", 422,
            "two rules for the same grade",
            body=lambda w: {"name": "改名", "amount_minor": 90_000, "starts_on": "2026-01-01",
                            "amount_rules": [{"grade": "P7", "amount_minor": 1},
                                             {"grade": "P7", "amount_minor": 2}]}),
    refusal("PATCH", f"/api/v1{P}", "enterprise_admin", 422,
            "a cap for a category that does not exist",
            body=lambda w: {"amount_minor": 90_000,
                            "caps": [{"category": "astrology", "cap_basis_points": 100}]}),
    refusal("POST", f"/api/v1{E}/programmes", "enterprise_admin", 422, "a negative amount",
            body=lambda w: {"name": "m", "period": "monthly", "amount_minor": -1,
                            "starts_on": "2026-01-01"}),
]

CANNOT_REFUSE: dict[tuple[str, str], str] = {
    ("POST", "/bookings/<int:booking_id>/checkout/release"):
        "letting a held place go always ends settled (a paid place is kept, any other "
        "released); only authorisation refuses it (the matrix's 404)",
    ("POST", f"{E}/roster/<int:entry_id>/deactivate"):
        "a leaver can always leave (again); only authorisation refuses it",
    ("POST", f"/api/v1{E}/roster/<int:entry_id>/deactivate"):
        "a leaver can always leave (again); only authorisation refuses it",
}
