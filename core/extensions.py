"""Flask extensions, created unbound here and bound in ``marketplace.create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from core.db import db

migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "migrate"]
