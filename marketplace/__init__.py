"""The employee's marketplace, and the composition root: ``create_app`` registers every
package, so that no inner package needs to know the ones above it."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask

from core import bootstrap
from core.config import INSTANCE_DIR, PROJECT_ROOT, load_config
from marketplace import cli, views


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app from the environment, with ``config`` overriding it (tests)."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR),
                template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"))
    app.config.from_mapping(load_config())
    if config:
        app.config.from_mapping(config)
    INSTANCE_DIR.mkdir(exist_ok=True)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)

    bootstrap.init_app(app)
    app.register_blueprint(views.bp)
    cli.init_app(app)
    return app
