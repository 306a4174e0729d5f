"""Thin blueprints: load with a schema, make one domain call, return."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from service.api import authors, comments, moderation, ops, privacy, public, sites, webhooks
    from service.compat import akismet, perspective

    for module in (comments, public, moderation, authors, privacy, webhooks, ops, sites, akismet, perspective):
        app.register_blueprint(module.bp)
