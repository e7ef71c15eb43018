"""Signals other packages subscribe to (in their ``init_app``), so that accounts never
imports them."""

from blinker import Namespace

_signals = Namespace()

#: Sent with the user and the accepted invitation once the new role exists.
invitation_accepted = _signals.signal("invitation-accepted")

#: Sent with the new user and their enterprise after a self sign-up with the invite code.
signed_up_with_invite_code = _signals.signal("signed-up-with-invite-code")
