"""The booking package's refusals."""

from __future__ import annotations

from tests.refusals.harness import refusal

REFUSALS = [
    refusal("POST", "/waitlist/<int:entry_id>/accept", "employee", 302,
            "nothing is on offer yet"),
]

CANNOT_REFUSE: dict[tuple[str, str], str] = {}
