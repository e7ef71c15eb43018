"""The WSGI entry point of an installed ParkWell: ``gunicorn parkwell.wsgi:app`` (what
``parkwell serve`` runs)."""

from marketplace import create_app

app = create_app()
