"""Thin blueprints: load with a schema, make one domain call, return."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from service.api import comments, moderation, ops, public

    for module in (comments, public, moderation, ops):
        app.register_blueprint(module.bp)
