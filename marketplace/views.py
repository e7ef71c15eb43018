"""The home page: where each role starts."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from core.navigation import nav_for
from core.web import active_membership

bp = Blueprint("marketplace", __name__)


@bp.route("/")
@login_required
def home():
    membership = active_membership()
    return render_template("marketplace/home.html", membership=membership,
                           shortcuts=nav_for(membership), user=current_user)
