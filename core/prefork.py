"""Work that every gunicorn worker would otherwise repeat on its first requests, done once
in the master before it forks (``gunicorn.conf.py``'s ``when_ready``, with ``preload_app``).

Why: a worker starts at each deploy, after a crash and when it is recycled
(``max_requests``). Measured on the full scale park, a new worker's first API request took
55–185 ms instead of 2–3: SQLAlchemy configured its mappers (~55 ms), Jinja compiled
each template on its first page (114 templates, ~0.6 s in all), and the collector's first
full passes walked the ~270,000 objects the app made while it was imported. Done in the
master, the mappers and templates come with every fork; ``gc.freeze`` moves the objects
that exist at that point out of the collector's sight, so a worker's full collections walk
only what it made itself (and the pages of memory they sit on stay shared with the
master).
"""

from __future__ import annotations

import gc

from flask import Flask
from sqlalchemy.orm import configure_mappers


def ready_to_fork(app: Flask) -> None:
    """Configure the mappers, compile every template, then freeze what exists now."""
    configure_mappers()
    environment = app.jinja_env
    for name in environment.list_templates():
        environment.get_template(name)
    gc.collect()
    gc.freeze()
