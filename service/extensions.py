"""Shared resources, built once per app (``service.resources.build``) and reached through accessors."""

from __future__ import annotations

import logging

from flask import Flask, current_app

import classifier
from service import metrics
from service.antiabuse import Guard
from service.intake import Intake
from service.resources import Resources, build
from service.store import CommentStore

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Build the resources (the Redis client connects on first use) and load the model."""
    resources = build(app.config)
    app.secret_key = resources.secret
    app.extensions["moderation"] = resources
    app.extensions["moderation.store"] = resources.store  # short names for tests and tools
    app.extensions["moderation.guard"] = resources.guard
    app.extensions["moderation.model"] = classifier.load(app.config["MODEL_PATH"])
    version = app.extensions["moderation.model"].version
    metrics.MODEL.labels(version).set(1)
    log.info("model %s loaded", version)


def shared() -> Resources:
    return current_app.extensions["moderation"]  # type: ignore[no-any-return]


def get_store() -> CommentStore:
    return shared().store


def get_guard() -> Guard:
    return shared().guard


def get_intake() -> Intake:
    return shared().intake


def get_model() -> classifier.Model:
    return current_app.extensions["moderation.model"]  # type: ignore[no-any-return]
