"""Request ids, JSON logs and request metrics. Log lines carry paths, never query strings,
emails or IPs."""

from __future__ import annotations

import functools
import json
import logging
import secrets
import sys
import time
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from service import metrics

access = logging.getLogger("service.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        if has_request_context() and "request_id" in g:
            line["request_id"] = g.request_id
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str, fmt: str = "json") -> None:
    """Application logs to stdout, one line each (JSON by default)."""
    handler = logging.StreamHandler(sys.stdout)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


def _request_id() -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if 0 < len(given) <= 128 and given.isprintable() and given.isascii() else secrets.token_hex(16)


@functools.cache
def _timer(endpoint: str, method: str, status: int) -> Any:
    """The request histogram's child for one label set, looked up once (endpoints are rules, not paths)."""
    return metrics.REQUESTS.labels(endpoint, method, str(status))


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        g.request_id = _request_id()
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        started = g.get("started")
        if started is None:
            return response
        seconds = time.perf_counter() - started
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        _timer(endpoint, request.method, response.status_code).observe(seconds)
        response.headers["X-Request-ID"] = g.request_id
        access.info("request", extra={"fields": {
            "method": request.method, "path": request.path, "endpoint": endpoint,
            "status": response.status_code, "duration_ms": round(seconds * 1000, 2)}})
        return response
