"""Shared resources, set up once per app in ``app.extensions`` and reached through accessors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

import classifier
from service import metrics
from service.antiabuse import Guard, GuardSettings
from service.connection import connect
from service.signals import SignalSettings
from service.store import CommentStore, shard_count
from service.wordlist import WordLists

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Create the Redis client (lazy: it connects on first use), load the model and the word lists."""
    from service.web import secret_key

    cfg = app.config
    app.secret_key = secret_key(cfg["SECRET_KEY"], cfg["DATA_DIR"])
    client = connect(cfg["REDIS_URL"], cfg["REDIS_TIMEOUT"])
    shards = shard_count(cfg["REDIS_SHARDS"], client)
    app.extensions["moderation.store"] = CommentStore(client, cfg["REDIS_PREFIX"], cfg["REDIS_WAIT_REPLICAS"],
                                                      shards=shards)
    app.extensions["moderation.guard"] = Guard(client, cfg["REDIS_PREFIX"], app.secret_key, guard_settings(cfg), shards)
    app.extensions["moderation.words"] = WordLists.from_files(cfg["BLOCK_LIST"], cfg["HOLD_LIST"])
    app.extensions["moderation.signals"] = SignalSettings(
        app.secret_key, cfg["MAX_LINKS"], cfg["FORM_TOKEN_MIN_SECONDS"], cfg["FORM_TOKEN_MAX_SECONDS"])
    app.extensions["moderation.model"] = classifier.load(cfg["MODEL_PATH"])
    version = app.extensions["moderation.model"].version
    metrics.MODEL.labels(version).set(1)
    log.info("model %s loaded", version)


def guard_settings(cfg: Mapping[str, Any]) -> GuardSettings:
    """Flood, rate and duplicate limits from the app config."""
    return GuardSettings(cfg["FLOOD_SECONDS"], cfg["RATE_PER_MINUTE"], cfg["RATE_BURST"], cfg["DUPLICATE_DAYS"],
                         network_per_minute=cfg["RATE_NETWORK_PER_MINUTE"], network_burst=cfg["RATE_NETWORK_BURST"],
                         ipv4_prefix=cfg["RATE_IPV4_PREFIX"], ipv6_prefix=cfg["RATE_IPV6_PREFIX"])


def get_store() -> CommentStore:
    return current_app.extensions["moderation.store"]  # type: ignore[no-any-return]


def get_model() -> classifier.Model:
    return current_app.extensions["moderation.model"]  # type: ignore[no-any-return]


def get_guard() -> Guard:
    return current_app.extensions["moderation.guard"]  # type: ignore[no-any-return]


def get_words() -> WordLists:
    return current_app.extensions["moderation.words"]  # type: ignore[no-any-return]


def get_signal_settings() -> SignalSettings:
    return current_app.extensions["moderation.signals"]  # type: ignore[no-any-return]
