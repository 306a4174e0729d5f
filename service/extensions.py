"""Shared resources, built once per app (``service.resources.build``) and reached through accessors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import redis
from flask import Flask, current_app

import classifier
from service import metrics
from service.antiabuse import Guard
from service.intake import Intake
from service.registry import SHIPPED, ModelWatcher, UnknownVersion
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
    model, watcher = follow_registry(resources, app.config, lambda m: _swap(app, m))
    app.extensions["moderation.model"] = model
    metrics.MODEL.labels(model.version).set(1)
    log.info("model %s loaded", model.version)
    # Threads do not survive gunicorn's fork: each worker starts its own (gunicorn_conf.post_worker_init).
    app.extensions["moderation.watcher"] = watcher


def follow_registry(resources: Resources, cfg: Mapping[str, Any], swap: Callable[[classifier.Model], None]
                    ) -> tuple[classifier.Model, ModelWatcher]:
    """The model in force now (the registry's active version, or the shipped one), and a watcher that
    hands ``swap`` each new active version."""
    def shipped() -> classifier.Model:
        return classifier.load(cfg["MODEL_PATH"])

    model, current = shipped(), SHIPPED
    watcher = ModelWatcher(resources.registry, shipped, current, swap, cfg["MODEL_POLL_SECONDS"])
    try:
        active = resources.registry.active()
        if active:
            model, watcher.current = resources.registry.load(active), active
    except (redis.RedisError, UnknownVersion, classifier.ArtifactError) as exc:  # the watcher tries again
        log.warning("registry's active model not loaded, starting with %s: %s", model.version, exc)
    return model, watcher


def _swap(app: Flask, model: classifier.Model) -> None:
    """One reference: a request in flight keeps the model it started with, the next gets the new one."""
    old = app.extensions["moderation.model"]
    app.extensions["moderation.model"] = model
    metrics.MODEL.labels(old.version).set(0)
    metrics.MODEL.labels(model.version).set(1)


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
