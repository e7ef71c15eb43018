"""Signals health sends, so that packages which build on it (bookings keep a dependant's id)
can let go of health rows before they are deleted, without health knowing them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with the ``Dependant`` about to be deleted (keyword: ``user``).
dependant_deleting = _signals.signal("health-dependant-deleting")
#: Sent with the ``User`` whose whole health profile is about to be deleted.
profile_deleting = _signals.signal("health-profile-deleting")
