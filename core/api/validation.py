"""Reading JSON bodies and query strings into pydantic models, with messages people can
read in their own language instead of pydantic's English.

The OpenAPI document is the contract, and the server holds requests to it: each body and
query string is first checked against the same JSON Schema the document publishes
(``bounded_schema``: pydantic's schema with the bounds of ``core.bounds`` filled in where
a field declares none: integers within PostgreSQL's ``integer``, decimals of a human size,
dates between 1900 and 2200, text without NUL characters and of a bounded length, lists
of at most 100 items), then parsed by pydantic. So nothing the document calls invalid is
accepted, and every bound the server enforces is declared.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from typing import Annotated, Any, TypeVar, cast

from flask import current_app, request
from flask_babel import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from pydantic import AfterValidator, BaseModel, Field, ValidationError

from core.bounds import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_ID,
    MAX_INT,
    MAX_ITEMS,
    MAX_NUMBER,
    MAX_PAGE,
    MAX_TEXT,
    MIN_INT,
    JsonTooDeep,
)
from core.errors import DomainError, InvalidInput

M = TypeVar("M", bound=BaseModel)


class MalformedJson(DomainError):
    code = "malformed_json"
    status = 400


class JsonNestedTooDeep(DomainError):
    code = "json_too_deep"
    status = 400


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415


# -- the bounds, as JSON Schema ------------------------------------------------------------

_YEAR = r"(?:19\d\d|2[01]\d\d|2200)"
_LEAP_YEAR = r"(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)"
_MONTH_DAY = (r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
              r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))")
_DAY = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
#: A real calendar day between 1900-01-01 and 2200-12-31.
DATE_PATTERN = rf"^{_DAY}$"
#: An instant in those years, with its UTC offset.
DATETIME_PATTERN = rf"^{_DAY}T{_TIME}{_OFFSET}$"
#: Text without NUL characters (PostgreSQL cannot store them).
TEXT_PATTERN = r"^[^\u0000]*$"
NUL_SCHEMA = {"pattern": r"\u0000"}
_MESSAGES_BY_PATTERN: dict[str, str] = {}  # filled lazily: messages need a request


def bounded_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` (pydantic's JSON Schema) with the default bounds added wherever
    a value declares none of its own."""
    schema = copy.deepcopy(schema)
    _bound(schema)
    return schema


def _bound(node: object) -> None:
    if isinstance(node, list):
        for item in node:
            _bound(item)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "integer":
        if "minimum" not in node and "exclusiveMinimum" not in node:
            node["minimum"] = MIN_INT
        if "maximum" not in node and "exclusiveMaximum" not in node:
            node["maximum"] = MAX_INT
        node["minimum"] = max(node.get("minimum", MIN_INT), MIN_INT)
        node["maximum"] = min(node.get("maximum", MAX_INT), MAX_INT)
    elif kind == "number":
        node.setdefault("minimum", -MAX_NUMBER)
        node.setdefault("maximum", MAX_NUMBER)
    elif kind == "string" and "enum" not in node and "const" not in node:
        if node.get("format") == "date":
            node["pattern"] = DATE_PATTERN
        elif node.get("format") == "date-time":
            node["pattern"] = DATETIME_PATTERN
        else:
            node.setdefault("maxLength", MAX_TEXT)
            if node["maxLength"] > MAX_TEXT and "pattern" not in node:
                # The same rule for long texts (a roster as CSV): fuzzers cannot build a
                # value for a two-million-character pattern.
                node.setdefault("not", dict(NUL_SCHEMA))
            else:
                node.setdefault("pattern", TEXT_PATTERN)
    elif kind == "array":
        node.setdefault("maxItems", MAX_ITEMS)
    for key in ("properties", "$defs", "patternProperties"):
        if isinstance(node.get(key), dict):
            for child in node[key].values():
                _bound(child)
    for key in ("items", "additionalProperties", "prefixItems", "anyOf", "oneOf", "allOf"):
        if key in node:
            _bound(node[key])


@cache
def _validator(model: type[BaseModel]) -> Draft202012Validator:
    schema = bounded_schema(model.model_json_schema(ref_template="#/$defs/{model}"))
    return Draft202012Validator(schema)


@cache
def query_parameters(model: type[BaseModel]) -> tuple[dict[str, Any], frozenset[str]]:
    """The query model's parameters as the document lists them: name -> bounded schema
    (without ``null``: a query string cannot say null, only leave the parameter out), and
    the names that are required."""
    schema = bounded_schema(model.model_json_schema(ref_template="#/$defs/{model}"))
    params = {}
    for name, prop in schema.get("properties", {}).items():
        options = [o for o in prop.get("anyOf", []) if o.get("type") != "null"]
        if "anyOf" in prop and len(options) == 1:
            prop = {**{k: v for k, v in prop.items() if k != "anyOf"}, **options[0]}
            if prop.get("default", 0) is None:
                del prop["default"]
        params[name] = {k: v for k, v in prop.items() if k != "title"}
    defs = schema.get("$defs", {})
    for name, prop in params.items():  # enums by reference: inline them for the query
        ref = prop.get("$ref", "")
        if ref.startswith("#/$defs/"):
            target = {k: v for k, v in defs[ref.rsplit("/", 1)[1]].items() if k != "title"}
            params[name] = {**{k: v for k, v in prop.items() if k != "$ref"}, **target}
    return params, frozenset(schema.get("required", []))


@cache
def _query_validator(model: type[BaseModel]) -> Draft202012Validator:
    params, required = query_parameters(model)
    return Draft202012Validator({"type": "object", "properties": params,
                                 "required": sorted(required)})


def _coerce(raw: str, schema: dict[str, Any]) -> object:
    """A query string's text as the JSON value its schema expects (left as text when it
    is not one, so that the schema refuses it)."""
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?\d{1,30}", raw):
        return int(raw)
    if kind == "number" and re.fullmatch(r"-?\d{1,30}(\.\d{1,30})?", raw):
        return float(raw)
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


# -- turning refusals into messages --------------------------------------------------------


def _message(error: Mapping[str, Any]) -> str:
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


def _schema_message(error: SchemaError) -> str:
    kind, limit = error.validator, error.validator_value
    if kind == "maxLength":
        return _("Enter at most %(count)s characters.", count=limit)
    if kind == "minLength":
        return _("Enter at least %(count)s characters.", count=limit)
    if kind in {"minimum", "exclusiveMinimum"}:
        return _("Enter a value of at least %(limit)s.", limit=limit)
    if kind in {"maximum", "exclusiveMaximum"}:
        return _("Enter a value of at most %(limit)s.", limit=limit)
    if kind in {"enum", "const"}:
        return _("Choose one of the allowed values.")
    if kind == "maxItems":
        return _("Give at most %(count)s items.", count=limit)
    if kind == "minItems":
        return _("Give at least %(count)s items.", count=limit)
    if kind == "type":
        return _("This value has the wrong type.")
    if kind == "pattern" and limit == DATE_PATTERN:
        return _("Enter a day between 1900-01-01 and 2200-12-31 as YYYY-MM-DD.")
    if kind == "pattern" and limit == DATETIME_PATTERN:
        return _("Enter a time between the years 1900 and 2200 as ISO 8601 with its UTC "
                 "offset (2026-12-01T09:30:00+08:00).")
    if (kind == "pattern" and limit == TEXT_PATTERN) or (kind == "not" and limit == NUL_SCHEMA):
        return _("This text holds a character that is not allowed.")
    if kind == "additionalProperties":
        return _("This field is not allowed.")
    return _("This value is not valid.")


def _most_relevant(error: SchemaError) -> SchemaError:
    """For ``X | None``, the reason X did not fit (not that the value is not null)."""
    while error.context:
        branches = [e for e in error.context
                    if not (e.validator == "type" and e.validator_value == "null")]
        if not branches:
            break
        error = min(branches, key=lambda e: len(e.relative_path))
    return error


def _schema_fields(errors: Iterable[SchemaError], *, root: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        error = _most_relevant(error)
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            for name in cast("list[str]", error.validator_value):  # required: names
                if isinstance(error.instance, dict) and name not in error.instance:
                    fields.setdefault(".".join(filter(None, (path, name))),
                                      _("This field is required."))
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = cast("dict[str, Any]", error.schema).get("properties", {})
            for name in error.instance:
                if name not in allowed:
                    fields.setdefault(".".join(filter(None, (path, str(name)))),
                                      _("This field is not allowed."))
            continue
        fields.setdefault(path or root, _schema_message(error))
    return fields


def invalid_input_from(exc: ValidationError) -> InvalidInput:
    fields: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(name, _message(error))
    return InvalidInput(fields=fields)


# -- shared field types ------------------------------------------------------------------


def _date_in_bounds(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError("date out of bounds")
    return value


#: A row id: PostgreSQL's positive ``integer``.
BoundedId = Annotated[int, Field(ge=1, le=MAX_ID)]
#: A page number of a paginated list.
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
#: A calendar day people can mean (1900-01-01..2200-12-31).
SafeDate = Annotated[date, AfterValidator(_date_in_bounds)]
#: Text without NUL characters, of at most ``MAX_TEXT`` characters (give a smaller
#: ``max_length`` where the field has one).
SafeText = Annotated[str, Field(max_length=MAX_TEXT, pattern=TEXT_PATTERN)]


# -- reading requests --------------------------------------------------------------------


def parse_body(model: type[M]) -> M:
    """The request's JSON body as ``model``. Raises UnsupportedMediaType, MalformedJson,
    JsonNestedTooDeep, InvalidInput."""
    if not request.is_json:
        raise UnsupportedMediaType(_("Send the body as application/json."))
    try:
        data = current_app.json.loads(request.get_data())
    except JsonTooDeep:
        raise JsonNestedTooDeep(_("The request body nests too deeply.")) from None
    except (ValueError, UnicodeDecodeError):
        raise MalformedJson(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise MalformedJson(_("The request body must be a JSON object."))
    errors = list(_validator(model).iter_errors(data))
    if errors:
        raise InvalidInput(fields=_schema_fields(errors, root="body"))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input_from(exc) from exc


def parse_query(model: type[M]) -> M:
    """The request's query string as ``model``, held to the parameters the document
    declares. Raises InvalidInput (or the model's own ``refusal``, a subclass)."""
    params, _required = query_parameters(model)
    args = request.args.to_dict()
    candidate = {name: _coerce(value, params[name]) if name in params else value
                 for name, value in args.items()}
    known = {name: value for name, value in candidate.items() if name in params}
    refusal = getattr(model, "refusal", InvalidInput)
    errors = list(_query_validator(model).iter_errors(known))
    if errors:
        raise refusal(fields=_schema_fields(errors, root="query"))
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        raise refusal(fields=invalid_input_from(exc).fields) from exc
