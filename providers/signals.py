"""What the providers package tells the packages above it (blinker signals)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A practitioner, a service or a whole provider stopped being bookable (suspended,
#: licence expired, service withdrawn). Sent with ``practitioner_ids``, ``service_ids``,
#: ``provider_ids`` (any may be empty), ``now`` and ``reason`` (a short code). The booking
#: engine cancels their bookings still to come (``booking.delisting``).
listing_withdrawn = _signals.signal("listing-withdrawn")
