"""The comment-moderation web service. Gunicorn target: ``service:create_app()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then the environment, then ``overrides`` (tests)."""
    # Imported here, not above: `python -m service.config` must not find its module already imported by the package.
    from service import config
    from service.observability import configure_logging

    app = Flask(__name__, static_folder=None)  # the review page and embed.js serve their own files
    app.config.from_mapping(config.load(overrides))
    app.debug = False  # FLASK_DEBUG in the environment must never expose the debugger in production
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])  # type: ignore[method-assign]

    from service import api, bodies, cors, errors, extensions, observability, security, web

    observability.init_app(app)
    errors.init_app(app)
    bodies.init_app(app)
    security.init_app(app)
    cors.init_app(app)
    extensions.init_app(app)
    api.init_app(app)
    web.init_app(app)
    return app
