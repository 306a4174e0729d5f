"""One error shape for every failure: ``{"code", "message", "errors"}``.

Views raise; the handlers here turn anything that is not the success path into JSON.
Messages never echo submitted values, so no email or IP can leak through an error.
"""

from __future__ import annotations

import logging
from typing import Any

import redis.exceptions
from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from service.i18n import language, localize, localize_errors, t
from service.store import LayoutMismatch

log = logging.getLogger(__name__)


class APIError(Exception):
    """Base of every error the API answers on purpose."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.headers = headers or {}


class ValidationFailed(APIError):
    status, code = 422, "validation_error"


class Unauthorized(APIError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str | None = None):
        super().__init__(message or t("moderator_token"), headers={"WWW-Authenticate": 'Bearer realm="moderation"'})


class Forbidden(APIError):
    status, code = 403, "forbidden"


class NotFound(APIError):
    status, code = 404, "not_found"


class Conflict(APIError):
    status, code = 409, "conflict"


class TooManyRequests(APIError):
    status, code = 429, "too_many_requests"


class Unavailable(APIError):
    status, code = 503, "unavailable"


# The errors that mean Redis is unavailable: a request answers 503, in its API's error shape.
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, redis.exceptions.BusyLoadingError)


def record_redis_outage(exc: Exception) -> None:
    """Log and count a request that found Redis unavailable (never with its arguments: no personal data)."""
    from service import metrics

    log.warning("redis unavailable: %s", type(exc).__name__)
    metrics.REDIS_ERRORS.labels("web").inc()


def error_response(status: int, code: str, message: str, errors: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """The one JSON error body, with its status and headers."""
    response = jsonify({"code": code, "message": message, "errors": errors or {}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


_HTTP_CODES = {
    400: ("bad_request", None),
    404: ("not_found", None),
    405: ("method_not_allowed", None),
    408: ("request_timeout", "too_slow"),
    413: ("payload_too_large", "too_large"),
    415: ("unsupported_media_type", "media_type"),
}


def init_app(app: Flask) -> None:
    """Register the handlers that give every failure the same shape."""

    @app.errorhandler(APIError)
    def _api_error(exc: APIError) -> Response:
        lang = language()  # marshmallow's own messages and a schema's fixed ones are English: say them in lang
        return error_response(exc.status, exc.code, localize(exc.message, lang), localize_errors(exc.errors, lang),
                              exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code, key = _HTTP_CODES.get(status, (exc.name.lower().replace(" ", "_"), None))
        message = t(key, max=app.config["MAX_BODY_BYTES"]) if key else localize(exc.description or exc.name, language())
        kept = {k: v for k, v in exc.get_headers() if k.lower() not in ("content-type", "content-length")}
        return error_response(status, code, message, headers=kept)  # e.g. Allow on 405

    def _redis_down(exc: Exception) -> Response:
        record_redis_outage(exc)
        return error_response(503, "unavailable", t("unavailable"), headers={"Retry-After": "5"})

    for down in REDIS_DOWN:
        app.register_error_handler(down, _redis_down)

    @app.errorhandler(LayoutMismatch)
    def _misconfigured(exc: LayoutMismatch) -> Response:
        log.error("refusing to write: %s", exc)  # /readyz says the same, so load balancers stop sending
        return error_response(503, "unavailable", t("unavailable"), headers={"Retry-After": "60"})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return error_response(500, "internal_error", t("internal"))
