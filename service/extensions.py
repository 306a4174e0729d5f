"""Shared resources, set up once per app in ``app.extensions`` and reached through accessors."""

from __future__ import annotations

import logging

from flask import Flask, current_app

import classifier
from service.connection import connect
from service.store import CommentStore

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Create the Redis client (lazy: it connects on first use) and load the model."""
    client = connect(app.config["REDIS_URL"], app.config["REDIS_TIMEOUT"])
    app.extensions["moderation.store"] = CommentStore(client, app.config["REDIS_PREFIX"])
    app.extensions["moderation.model"] = classifier.load(app.config["MODEL_PATH"])
    log.info("model %s loaded", app.extensions["moderation.model"].version)


def get_store() -> CommentStore:
    return current_app.extensions["moderation.store"]  # type: ignore[no-any-return]


def get_model() -> classifier.Model:
    return current_app.extensions["moderation.model"]  # type: ignore[no-any-return]
