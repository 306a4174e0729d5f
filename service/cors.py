"""CORS for the endpoints a blog's own pages call: submission, form token, public list.

Only configured origins (MODERATION_ALLOWED_ORIGINS) get the headers; credentials are never
allowed, so a browser never sends cookies with these requests.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

PUBLIC_PREFIXES = ("/api/v1/comments", "/api/v1/form-token", "/api/v1/posts/")
ALLOWED_HEADERS = "Content-Type, Idempotency-Key, X-Request-ID"


def allowed_origins() -> set[str]:
    return {o.strip().rstrip("/") for o in current_app.config["ALLOWED_ORIGINS"].split(",") if o.strip()}


def origin_allowed(url_or_origin: str | None) -> bool:
    """True when the origin of ``url_or_origin`` (scheme://host[:port]) is configured."""
    if not url_or_origin:
        return False
    scheme, sep, rest = url_or_origin.partition("://")
    if not sep:
        return False
    return f"{scheme.lower()}://{rest.split('/', 1)[0].lower()}" in allowed_origins()


def init_app(app: Flask) -> None:
    @app.before_request
    def _preflight() -> Response | None:
        if request.method == "OPTIONS" and request.path.startswith(PUBLIC_PREFIXES):
            return Response(status=204)
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        if not request.path.startswith(PUBLIC_PREFIXES):
            return response
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin_allowed(origin):
            response.headers["Access-Control-Allow-Origin"] = origin  # type: ignore[assignment]
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Expose-Headers"] = "X-Request-ID, Retry-After"
            response.headers["Access-Control-Max-Age"] = "600"
        return response
