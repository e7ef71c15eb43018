"""The ``parkwell`` command and the WSGI entry point of an installed ParkWell.

In a wheel this package also carries the files that live at the top of the checkout
(``templates/``, ``static/``, ``translations/`` with compiled catalogues, ``migrations/``,
``gunicorn.conf.py``): ``setup.py`` copies them here at build time, and
``core.config.ASSET_ROOT`` finds them.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("parkwell")
except PackageNotFoundError:  # a checkout that was never installed
    __version__ = "0+unknown"
