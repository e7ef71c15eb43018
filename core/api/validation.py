"""Reading JSON bodies and query strings into pydantic models, with messages people can
read in their own language instead of pydantic's English."""

from __future__ import annotations

from typing import TypeVar

from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

from core.errors import DomainError, InvalidInput

M = TypeVar("M", bound=BaseModel)


class MalformedJson(DomainError):
    code = "malformed_json"
    status = 400


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415


def _message(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short":
        return _("Enter at least %(count)s characters.", count=ctx.get("min_length"))
    if kind == "string_too_long":
        return _("Enter at most %(count)s characters.", count=ctx.get("max_length"))
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a value of at least %(limit)s.", limit=ctx.get("ge", ctx.get("gt")))
    if kind in {"less_than_equal", "less_than"}:
        return _("Enter a value of at most %(limit)s.", limit=ctx.get("le", ctx.get("lt")))
    if kind in {"enum", "literal_error"}:
        return _("Choose one of the allowed values.")
    if kind == "extra_forbidden":
        return _("This field is not allowed.")
    if kind in {"string_type", "list_type", "dict_type", "model_type", "bool_type",
                "bool_parsing", "model_attributes_type"}:
        return _("This value has the wrong type.")
    return _("This value is not valid.")


def invalid_input_from(exc: ValidationError) -> InvalidInput:
    fields: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(name, _message(error))
    return InvalidInput(fields=fields)


def parse_body(model: type[M]) -> M:
    """The request's JSON body as ``model``. Raises UnsupportedMediaType, MalformedJson,
    InvalidInput."""
    if not request.is_json:
        raise UnsupportedMediaType(_("Send the body as application/json."))
    data = request.get_json(silent=True)
    if data is None:
        raise MalformedJson(_("The request body is not valid JSON."))
    if not isinstance(data, dict):
        raise MalformedJson(_("The request body must be a JSON object."))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input_from(exc) from exc


def parse_query(model: type[M]) -> M:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise invalid_input_from(exc) from exc
