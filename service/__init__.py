"""The comment-moderation web service. Gunicorn target: ``service:create_app()``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from service import config


def configure_logging(level: str) -> None:
    """Application logs to stdout, one line each; callers never log email or IP."""
    logging.basicConfig(stream=sys.stdout, level=level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s", force=True)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then the environment, then ``overrides`` (tests)."""
    app = Flask(__name__)
    app.config.from_mapping(config.load(overrides))
    app.debug = False  # FLASK_DEBUG in the environment must never expose the debugger in production
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    configure_logging(app.config["LOG_LEVEL"])
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])  # type: ignore[method-assign]

    from service import api, errors, extensions, security, web

    errors.init_app(app)
    security.init_app(app)
    extensions.init_app(app)
    api.init_app(app)
    web.init_app(app)
    return app
