"""Signals other packages subscribe to (in their ``init_app``), so that accounts never
imports them."""

from blinker import Namespace

_signals = Namespace()

#: Sent with the user and the accepted invitation once the new role exists.
invitation_accepted = _signals.signal("invitation-accepted")
