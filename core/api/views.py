"""The API's own pages: the OpenAPI document and its interactive docs (Swagger UI, served
from the ``flask-swagger-ui`` package, so that it works offline)."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_swagger_ui import get_swaggerui_blueprint

from core.api.openapi import api_document_json

API_TITLE = "ParkWell API"
API_VERSION = "1.0.0"

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


@bp.route("/openapi.json")
def openapi_document():
    return api_document_json(API_TITLE, API_VERSION)


@bp.route("/docs")
def docs_redirect():
    return redirect(url_for("swagger_ui.show"))


def swagger_blueprint() -> Blueprint:
    return get_swaggerui_blueprint("/api/v1/docs", "/api/v1/openapi.json",
                                   config={"app_name": API_TITLE})
