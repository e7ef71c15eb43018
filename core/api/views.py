"""The API's own pages: the OpenAPI document and its interactive docs (Swagger UI, served
from the ``flask-swagger-ui`` package, so that it works offline)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_swagger_ui import get_swaggerui_blueprint

from core.api.openapi import api_document_json
from core.protections import DOCS_CONTENT_SECURITY_POLICY, talisman

API_TITLE = "ParkWell API"
API_VERSION = "1.0.0"

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


@bp.route("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    return api_document_json(API_TITLE, API_VERSION)


@bp.route("/docs")
def docs_redirect() -> ResponseReturnValue:
    return redirect(url_for("swagger_ui.show"))


DOCS_URL = "/api/v1/docs"
SPEC_URL = "/api/v1/openapi.json"


def swagger_blueprint() -> Blueprint:
    """Swagger UI's files from the package; its page is ours (``templates/api/docs.html``),
    which starts Swagger UI from a script file instead of the package's inline script, so
    that the page keeps a Content-Security-Policy without inline scripts."""
    blueprint = get_swaggerui_blueprint(DOCS_URL, SPEC_URL, config={"app_name": API_TITLE})

    @blueprint.before_request
    def docs_page() -> ResponseReturnValue | None:
        if (request.view_args or {}).get("path") in (None, "", "index.html"):
            return render_template("api/docs.html", title=API_TITLE, base_url=DOCS_URL,
                                   spec_url=SPEC_URL)
        return None

    blueprint.record_once(_relax_docs_styles)
    return blueprint


def _relax_docs_styles(state: BlueprintSetupState) -> None:
    """Swagger UI sets inline styles from its script; allow styles (never scripts) there."""
    view = state.app.view_functions.get("swagger_ui.show")
    if view is not None:
        talisman(content_security_policy=DOCS_CONTENT_SECURITY_POLICY)(view)
