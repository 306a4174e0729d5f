"""Request bodies are read whole before any view runs, within a size and a time limit.

A body larger than ``MAX_BODY_BYTES`` is refused with 413 whether it announced its length or
came chunked (a chunked body is never cut short and accepted). Under the gevent workers of
``moderation serve`` a body that trickles in slower than ``BODY_TIMEOUT_SECONDS`` is refused
with 408, so a slow client holds one greenlet for a bounded time, never a process.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestTimeout

_CHUNK = 16 * 1024


def _deadline(seconds: float) -> Any:
    """A time limit on the reads below where the sockets are gevent's; elsewhere reads never wait on a client."""
    try:
        from gevent import Timeout, monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return contextlib.nullcontext()
    if seconds <= 0 or not monkey.is_module_patched("socket"):
        return contextlib.nullcontext()
    return Timeout(seconds, RequestTimeout())


def read_whole_body() -> None:
    """Replace the request's input with its whole body, or refuse it (413 too large, 408 too slow)."""
    environ = request.environ
    length = request.content_length
    chunked = environ.get("wsgi.input_terminated") and length is None
    if not length and not chunked:
        return
    limit = current_app.config["MAX_BODY_BYTES"]
    if length is not None and length > limit:
        raise RequestEntityTooLarge()
    stream = environ["wsgi.input"]
    body = bytearray()
    wanted = length if length is not None else limit + 1
    with _deadline(current_app.config["BODY_TIMEOUT_SECONDS"]):
        while len(body) < wanted:
            chunk = stream.read(min(_CHUNK, wanted - len(body)))
            if not chunk:
                break
            body += chunk
    if len(body) > limit:
        raise RequestEntityTooLarge()
    environ["wsgi.input"] = io.BytesIO(bytes(body))
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input_terminated"] = False


def init_app(app: Flask) -> None:
    app.before_request(read_whole_body)
