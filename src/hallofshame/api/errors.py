"""One error shape for every failure: ``{"error": {"code", "message", "details"}}``.

Validation problems are 400 ``invalid_parameter`` naming the parameter and what it
accepts; an unknown id is 404; a lost database is 503; anything unexpected is 500
without a trace (it is logged instead).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from hallofshame.domain.periods import PeriodError

log = logging.getLogger("hallofshame.api")

_CODES = {
    400: "invalid_parameter",
    404: "not_found",
    405: "method_not_allowed",
    401: "unauthorized",
    403: "forbidden",
    429: "rate_limited",
    503: "unavailable",
}


class ApiError(Exception):
    """Raised by a route to answer with an error; the handler renders it."""

    def __init__(
        self, status: int, message: str, *, code: str | None = None, **details: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "internal")
        self.message = message
        self.details = details


def invalid(param: str, message: str, allowed: Any = None) -> ApiError:
    details: dict[str, Any] = {"parameter": param}
    if allowed is not None:
        details["allowed"] = allowed
    return ApiError(400, message, **details)


def not_found(what: str, ident: object) -> ApiError:
    return ApiError(404, f"no {what} with id {ident}", id=ident)


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


# --- request validation (flask-openapi3 calls this with pydantic's error) --------------

#: Query models by class name, so a validation error can list a model's parameters.
QUERY_MODELS: dict[str, type[BaseModel]] = {}


def _allowed(model: type[BaseModel] | None, param: str, error: dict[str, Any]) -> Any:
    ctx = error.get("ctx") or {}
    if "allowed" in ctx:
        return list(ctx["allowed"])
    if model is None:
        return None
    field = model.model_fields.get(param)
    if field is None:
        return sorted(model.model_fields)
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "enum" in extra:
        return extra["enum"]
    bounds = {
        type(m).__name__.lower(): getattr(m, type(m).__name__.lower())
        for m in field.metadata
        if type(m).__name__ in ("Ge", "Le")
    }
    if bounds:
        return f"an integer from {bounds.get('ge')} to {bounds.get('le')}"
    if "pattern" in extra or any(hasattr(m, "pattern") for m in field.metadata):
        return "a date as YYYY-MM-DD"
    return None


def validation_error_response(exc: ValidationError) -> Response:
    """400 naming the first bad parameter (404 when it is an id in the path)."""
    errors = exc.errors()
    first = errors[0] if errors else {"loc": ("?",), "msg": "invalid request", "type": ""}
    param = str(first["loc"][0]) if first.get("loc") else "?"
    if param in (request.view_args or {}) and param not in request.args:
        return error_response(404, "not_found", f"no such {param}", {"parameter": param})
    model = QUERY_MODELS.get(exc.title)
    if first.get("type") == "extra_forbidden":
        message = f"unknown parameter {param!r}"
        allowed = sorted(model.model_fields) if model is not None else None
    else:
        message = f"{param}: {first.get('msg', 'invalid value')}"
        allowed = _allowed(model, param, dict(first))
    details: dict[str, Any] = {"parameter": param}
    if allowed is not None:
        details["allowed"] = allowed
    return error_response(400, "invalid_parameter", message, details)


# --- handlers -----------------------------------------------------------------------


def _api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.details)


def _period_error(exc: PeriodError) -> Response:
    details: dict[str, Any] = {"parameter": exc.param}
    if exc.allowed:
        details["allowed"] = list(exc.allowed)
    return error_response(400, "invalid_parameter", str(exc), details)


def _http_error(exc: HTTPException) -> Response:
    if exc.response is not None:  # a validation response built above: keep it
        return exc.response  # type: ignore[return-value]
    status = exc.code or 500
    code = _CODES.get(status, "internal" if status >= 500 else "invalid_request")
    message = exc.description or exc.name
    if status == 404:
        message = f"nothing at {request.path}"
    response = error_response(status, code, message)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        # RFC 9110: a 405 lists the methods the resource does allow.
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    if status == 429:
        retry = getattr(exc, "retry_after", None)
        response.headers["Retry-After"] = str(int(retry or 60))
    return response


def _database_down(exc: DBAPIError) -> Response:
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        log.error("database unavailable: %s: %.200s", type(exc.orig).__name__, exc.orig)
        return error_response(503, "unavailable", "the database is unreachable")
    return _unexpected(exc)


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal", "an internal error occurred")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(PeriodError, _period_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_down)
    app.register_error_handler(Exception, _unexpected)
