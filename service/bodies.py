"""Request bodies are read whole before any view runs, within a size and a time limit.

A body larger than ``MAX_BODY_BYTES`` is refused with 413 whether it announced its length or
came chunked (a chunked body is never cut short and accepted). Under the gevent workers of
``moderation serve`` a body that trickles in slower than ``BODY_TIMEOUT_SECONDS`` is refused
with 408, so a slow client holds one greenlet for a bounded time, never a process.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from typing import Any

from flask import Flask, current_app, request
from gevent import Timeout, monkey
from werkzeug.exceptions import RequestEntityTooLarge, RequestTimeout

from service.errors import ValidationFailed
from service.i18n import t

_CHUNK = 16 * 1024
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def lone_surrogate_at(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) in parsed JSON holding a lone surrogate, else None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "_schema"
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        found = lone_surrogate_at(key, where) if isinstance(key, str) else None
        found = found or lone_surrogate_at(item, where)
        if found:
            return found
    return None


def _refuse_lone_surrogates(body: bytes) -> None:
    if not request.is_json or not _SURROGATE_ESCAPE.search(body):  # a pair's escapes match too: then we look
        return
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return  # malformed: the view answers that
    path = lone_surrogate_at(parsed)
    if path:
        raise ValidationFailed(t("invalid_fields"), errors={path: [t("surrogate")]})


def _deadline(seconds: float) -> Any:
    """A time limit on the reads below where the sockets are gevent's; elsewhere reads never wait on a client."""
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
    data = bytes(body)
    _refuse_lone_surrogates(data)
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    environ["wsgi.input_terminated"] = False


def init_app(app: Flask) -> None:
    app.before_request(read_whole_body)
