"""The service's long-lived parts, built once, in one place, for the app, the CLI and the worker alike."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.antiabuse import Guard, GuardSettings
from service.connection import connect
from service.intake import Intake
from service.keys import Keys
from service.registry import Registry
from service.signals import SignalSettings
from service.store import CommentStore, shard_count
from service.wordlist import WordLists

# Values copied from examples and old compose files: a key anyone can read signs nothing.
PLACEHOLDER_SECRETS = frozenset({"change-me", "changeme", "change_me", "change-this", "secret", "secret-key",
                                 "secret_key", "your-secret-key", "please-change-me", "replace-me", "xxx"})


class WeakSecret(ValueError):
    """MODERATION_SECRET_KEY is a known placeholder."""


def secret_key(configured: str | None, data_dir: str) -> str:
    """The configured key, else one generated on first run and kept in the data directory (mode 600), shared by
    every process that shares the directory (the compose stack gives web and worker one volume for it)."""
    if configured is not None and configured.strip().lower() in PLACEHOLDER_SECRETS:
        raise WeakSecret(f"MODERATION_SECRET_KEY is a placeholder ({configured.strip()!r}): anyone who reads it can "
                         "forge sessions and undo the email hashing. Unset it to have one generated in "
                         "MODERATION_DATA_DIR, or set a long random value: "
                         "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")
    if configured and configured.strip():
        return configured
    path = Path(data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key.{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # all or nothing: two processes starting together agree on the first one written
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def guard_settings(cfg: Mapping[str, Any]) -> GuardSettings:
    """Flood, rate, duplicate and wave limits from the config."""
    return GuardSettings(cfg["FLOOD_SECONDS"], cfg["RATE_PER_MINUTE"], cfg["RATE_BURST"], cfg["DUPLICATE_DAYS"],
                         network_per_minute=cfg["RATE_NETWORK_PER_MINUTE"], network_burst=cfg["RATE_NETWORK_BURST"],
                         ipv4_prefix=cfg["RATE_IPV4_PREFIX"], ipv6_prefix=cfg["RATE_IPV6_PREFIX"])


def signal_settings(cfg: Mapping[str, Any]) -> SignalSettings:
    """The worker's signal thresholds from the config."""
    return SignalSettings(cfg["MAX_LINKS"], cfg["FORM_TOKEN_MIN_SECONDS"], cfg["FORM_TOKEN_MAX_SECONDS"],
                          cfg["WAVE_MIN_AUTHORS"])


@dataclass(frozen=True)
class Resources:
    """Redis behind its small classes, the word lists, the signal settings and the intake."""

    store: CommentStore
    guard: Guard
    words: WordLists
    signals: SignalSettings
    intake: Intake
    secret: str
    registry: Registry


def build(cfg: Mapping[str, Any], url: str | None = None) -> Resources:
    """Everything from the config; ``url`` overrides REDIS_URL (the embedded Redis). The client connects lazily."""
    secret = secret_key(cfg["SECRET_KEY"], cfg["DATA_DIR"])
    client = connect(url or cfg["REDIS_URL"], cfg["REDIS_TIMEOUT"])
    keys = Keys(cfg["REDIS_PREFIX"], shard_count(cfg["REDIS_SHARDS"], client))
    store = CommentStore(client, keys, cfg["REDIS_WAIT_REPLICAS"], zone=cfg["TIME_ZONE"])
    guard = Guard(client, keys, secret, guard_settings(cfg))
    return Resources(store, guard, WordLists.from_files(cfg["BLOCK_LIST"], cfg["HOLD_LIST"]), signal_settings(cfg),
                     Intake(store, guard, secret, cfg["FORM_TOKEN_MIN_SECONDS"]), secret, Registry(client, keys))
