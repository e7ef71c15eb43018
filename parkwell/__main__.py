"""``python -m parkwell`` is the ``parkwell`` command."""

from parkwell.cli import main

main()
