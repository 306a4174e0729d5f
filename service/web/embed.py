"""The embeddable comment list and form (``/embed.js``, ``/embed.css``), served to any blog page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

bp = Blueprint("embed", __name__)
STATIC = Path(__file__).parent / "static"


@bp.get("/embed.js")
def script() -> Response:
    return _asset("embed.js")


@bp.get("/embed.css")
def stylesheet() -> Response:
    return _asset("embed.css")


def _asset(name: str) -> Response:
    response = send_from_directory(STATIC, name, max_age=3600)
    # Loaded by the blog's pages, from another origin: allow it to be embedded there.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
