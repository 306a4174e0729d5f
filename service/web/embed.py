"""The embeddable comment list and form (``/embed.js``, ``/embed.css``), served to any blog page."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, request, send_from_directory

from service.i18n import embed_texts

bp = Blueprint("embed", __name__)
STATIC = Path(__file__).parent / "static"


@cache
def _script() -> tuple[str, str]:
    """embed.js with its words from the one catalogue, and its ETag."""
    text = (STATIC / "embed.js").read_text(encoding="utf-8").replace("__TEXTS__", embed_texts())
    return text, hashlib.sha256(text.encode()).hexdigest()[:32]


@bp.get("/embed.js")
def script() -> Response:
    text, etag = _script()
    response = Response(text, mimetype="text/javascript")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.make_conditional(request)
    return _cross_origin(response)


@bp.get("/embed.css")
def stylesheet() -> Response:
    return _cross_origin(send_from_directory(STATIC, "embed.css", max_age=3600))


def _cross_origin(response: Response) -> Response:
    # Loaded by the blog's pages, from another origin: allow it to be embedded there.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
