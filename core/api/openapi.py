"""Documented endpoints: ``ApiBlueprint.operation`` registers a route and its OpenAPI
operation from the same pydantic models that validate it, so that the document cannot
drift from the code.

The document is assembled here from pydantic's JSON Schema output (OpenAPI 3.1 uses JSON
Schema 2020-12, which is what pydantic writes); no other generator is needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from pydantic_core import to_json

from core.accounts.models import ApiScope
from core.api.auth import authorise
from core.api.errors import ErrorResponse
from core.api.validation import bounded_schema, parse_body, parse_query, query_parameters
from core.bounds import MAX_ID
from core.protections import rate_limits

#: What an operation may return: its response model, data that model validates, a ready
#: Response, or None (no content).
ApiResult = BaseModel | Response | Mapping[str, Any] | Sequence[Any] | None

REF_TEMPLATE = "#/components/schemas/{model}"
_RULE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass
class Operation:
    path: str
    method: str
    summary: str
    tags: list[str]
    scope: ApiScope | None
    optional_auth: bool
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    description: str = ""
    operation_id: str = ""
    endpoint: str = ""


@dataclass
class OpenApiRegistry:
    operations: list[Operation] = field(default_factory=list)

    def add(self, operation: Operation) -> None:
        self.operations = [o for o in self.operations
                           if (o.path, o.method) != (operation.path, operation.method)]
        self.operations.append(operation)

    def document(self, *, title: str, version: str,
                 rate_limited: Collection[str] = ()) -> dict[str, Any]:
        """The OpenAPI document; ``rate_limited``: the endpoints under a rate limit (the
        app's, ``core.protections.rate_limits``), which answer 429."""
        models: set[type[BaseModel]] = {ErrorResponse}
        for op in self.operations:
            models.update(m for m in (op.body, op.response, op.query) if m is not None)
        ordered = sorted(models, key=lambda m: m.__name__)
        _, schemas = models_json_schema(
            [(m, "validation") for m in ordered], ref_template=REF_TEMPLATE)
        paths: dict[str, dict[str, Any]] = {}
        for op in sorted(self.operations, key=lambda o: (o.path, o.method)):
            path, params = _openapi_path(op.path)
            paths.setdefault(path, {})[op.method.lower()] = _operation(op, params, rate_limited)
        return {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version,
                     "description": "ParkWell's JSON API for mobile and mini-program clients. "
                                    "Errors always have the shape "
                                    '{"error": {"code", "message", "fields"}}. '
                                    "Bounds, unless a field says otherwise: ids 1.."
                                    f"{MAX_ID}, integers within PostgreSQL's integer, dates "
                                    "1900-01-01..2200-12-31, text without NUL characters, "
                                    "JSON nested at most 32 deep (deeper: 400 json_too_deep). "
                                    "A method a path does not have answers 405 with an Allow "
                                    "header (components/responses/MethodNotAllowed)."},
            "paths": paths,
            "components": {
                "schemas": _bounded_inputs(schemas.get("$defs", {}), [
                    op.body.__name__ for op in self.operations if op.body is not None]),
                "headers": {"Allow": {
                    "description": "The methods the path does allow (on every 405).",
                    "schema": {"type": "string"}}},
                "responses": {"MethodNotAllowed": {
                    "description": "The path exists but not with this method; the Allow "
                                   "header lists the methods it has.",
                    "headers": {"Allow": {"$ref": "#/components/headers/Allow"}},
                    "content": {"application/json": {"schema": _ref(ErrorResponse)}}}},
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                   "description": "A personal access token."}},
            },
        }


registry = OpenApiRegistry()


def _bounded_inputs(schemas: dict[str, dict[str, Any]],
                    bodies: list[str]) -> dict[str, dict[str, Any]]:
    """``schemas`` with the default bounds (``core.api.validation.bounded_schema``) on
    every schema a request body uses, the ones the server holds requests to. (Answers keep
    theirs as they are: a list of slots may well hold more than 100.)"""
    inputs, todo = set(), list(bodies)
    while todo:
        name = todo.pop()
        if name in inputs or name not in schemas:
            continue
        inputs.add(name)
        todo.extend(ref.rsplit("/", 1)[1] for ref in _refs(schemas[name]))
    return {name: bounded_schema(schema) if name in inputs else schema
            for name, schema in schemas.items()}


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


#: The longest word a path parameter may hold (see ``_openapi_path``).
MAX_PATH_WORD = 64


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for match in _RULE_PARAM.finditer(rule):
        # ``<int:...>`` is core.bootstrap.BoundedIntConverter: ids up to PostgreSQL's integer.
        # A word in a path (a questionnaire's kind, a month) is short: long ones are refused
        # by the view (404, 400) long before a proxy's request-line limit (414) would be.
        schema = ({"type": "integer", "minimum": 1, "maximum": MAX_ID}
                  if match["converter"] == "int"
                  else bounded_schema({"type": "string", "minLength": 1,
                                       "maxLength": MAX_PATH_WORD}))
        params.append({"name": match["name"], "in": "path", "required": True,
                       "schema": schema})
    return _RULE_PARAM.sub(lambda m: "{" + m["name"] + "}", rule), params


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _operation(op: Operation, params: list[dict[str, Any]],
               rate_limited: Collection[str]) -> dict[str, Any]:
    error_ref = {"content": {"application/json": {"schema": _ref(ErrorResponse)}}}
    result: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": op.tags,
        "parameters": list(params),
        "responses": {},
    }
    if op.description:
        result["description"] = op.description
    if op.query is not None:
        query_params, required = query_parameters(op.query)
        for name, schema in query_params.items():
            result["parameters"].append({"name": name, "in": "query",
                                         "required": name in required, "schema": schema,
                                         "description": schema.get("description", "")})
    if op.body is not None:
        result["requestBody"] = {"required": True,
                                 "content": {"application/json": {"schema": _ref(op.body)}}}
    if op.response is not None:
        result["responses"][str(op.status)] = {
            "description": "Success",
            "content": {"application/json": {"schema": _ref(op.response)}}}
    else:
        result["responses"][str(op.status)] = {"description": "Success"}
    statuses = set(op.errors) | ({401, 403} if op.scope else set())
    if op.endpoint in rate_limited:
        statuses |= {429}
    if op.body is not None:
        statuses |= {400, 413, 415, 422}
    if op.query is not None:  # a query string that does not validate
        statuses |= {422}
    if params:  # an id in the path that names nothing (or nothing the caller may see)
        statuses |= {404}
    for status in sorted(statuses):
        result["responses"][str(status)] = {"description": "Error", **error_ref}
    if 429 in statuses:  # the sign-in limits and the rate limits both say when to retry
        result["responses"]["429"]["headers"] = {"Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 1}}}
    if op.scope is not None:
        result["security"] = [{"bearerAuth": []}]
        if op.optional_auth:
            result["security"].append({})
    return result


def plain_json(payload: object, status: int = 200) -> Response:
    """A response written by Pydantic's JSON writer from plain values (dicts, lists,
    datetimes), the same JSON as the operation's response model gives: for long lists,
    where building a model per item costs more than the request's own work. The caller
    vouches that ``payload`` has the documented shape."""
    return json_response(to_json(payload), status)


def json_response(body: bytes, status: int = 200) -> Response:
    """A response of JSON already written (``plain_json``'s, remembered by the caller)."""
    return Response(body, status=status, mimetype="application/json")


def _render(result: ApiResult, status: int, response: type[BaseModel] | None) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status=204 if status == 200 else status)
    payload: object
    if isinstance(result, BaseModel):
        # Pydantic writes the JSON itself (in Rust): a slot list of hundreds of items costs
        # a tenth of building Python dicts and encoding them again.
        return Response(result.model_dump_json(), status=status, mimetype="application/json")
    if response is not None:
        payload = response.model_validate(result).model_dump(mode="json")
    else:
        payload = result
    out = jsonify(payload)
    out.status_code = status
    return out


class ApiBlueprint(Blueprint):
    """A blueprint under /api/v1 whose routes validate and document themselves."""

    def __init__(self, name: str, import_name: str, *, tag: str) -> None:
        super().__init__(name, import_name, url_prefix="/api/v1")
        self.tag = tag

    def operation(self, rule: str, *, method: str, summary: str,
                  scope: ApiScope | None = ApiScope.READ, optional_auth: bool = False,
                  body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
                  response: type[BaseModel] | None = None, status: int = 200,
                  errors: tuple[int, ...] = ()) -> Callable[..., Any]:
        """Route ``rule``; authenticate with ``scope`` (None: public; ``optional_auth``:
        authenticate when a token is sent); parse ``body``/``query`` into keyword arguments
        of those names; serialise the return value with ``response``."""

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(fn)
            def view(**path_args: Any) -> Response:
                kwargs = dict(path_args)
                if scope is not None:
                    kwargs["user"] = authorise(scope, optional=optional_auth)
                if body is not None:
                    kwargs["body"] = parse_body(body)
                if query is not None:
                    kwargs["query"] = parse_query(query)
                return _render(fn(**kwargs), status, response)

            self.add_url_rule(rule, fn.__name__, view, methods=[method])
            registry.add(Operation(
                path=f"{self.url_prefix}{rule}", method=method, summary=summary,
                tags=[self.tag], scope=scope, optional_auth=optional_auth, body=body,
                query=query, response=response, status=status, errors=errors,
                description=(fn.__doc__ or "").strip(), operation_id=f"{self.name}_{fn.__name__}",
                endpoint=f"{self.name}.{fn.__name__}"))
            return view

        return decorator


def api_document_json(title: str, version: str) -> Response:
    return jsonify(registry.document(title=title, version=version,
                                     rate_limited=rate_limits(current_app)))
