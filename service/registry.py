"""Model versions in Redis, so that every host of a deployment loads the same ones, and the one in force.

A version is its artifact (manifest and weights) plus metadata (data checksums, label counts, weight,
metrics). The active version is one key: every gunicorn worker and every scoring worker polls it and
switches to a new value within seconds (``ModelWatcher``), loading the new model off the request path
and swapping one reference. No active version means the shipped artifact. Promote sets it (the old one
goes onto a history list), rollback pops that list.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

import classifier
from service.keys import Keys
from service.store import now_iso

log = logging.getLogger(__name__)
SHIPPED = "shipped"  # how the shipped artifact is named where a version is listed


class UnknownVersion(LookupError):
    """No such version in the registry."""


class Registry:
    """The deployment's model versions, their artifacts and the active one."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.redis, self.keys = client, keys

    def publish(self, manifest: dict[str, Any], weights: bytes, meta: dict[str, Any]) -> str:
        """Store a version (not active yet); its name is the manifest's version."""
        version = str(manifest["version"])
        record = {"version": version, "created_at": now_iso(), **meta}
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.keys.model_blob(version), mapping={
            "manifest": json.dumps(manifest, ensure_ascii=False), "weights": base64.b64encode(weights).decode()})
        pipe.hset(self.keys.models, version, json.dumps(record, ensure_ascii=False))
        pipe.execute()
        return version

    def publish_folder(self, path: Path, meta: dict[str, Any]) -> str:
        manifest, weights = classifier.read_parts(path)
        return self.publish(manifest, weights, meta)

    def versions(self) -> list[dict[str, Any]]:
        """Every stored version's metadata, oldest first, the active one marked."""
        active = self.active()
        records = [json.loads(v) for v in self.redis.hvals(self.keys.models)]
        return [{**r, "active": r["version"] == active} for r in sorted(records, key=lambda r: r["created_at"])]

    def get(self, version: str) -> dict[str, Any]:
        raw = self.redis.hget(self.keys.models, version)
        if raw is None:
            raise UnknownVersion(version)
        return json.loads(raw)  # type: ignore[no-any-return]

    def active(self) -> str | None:
        """The version in force, or None for the shipped artifact."""
        return self.redis.get(self.keys.active_model)  # type: ignore[return-value]

    def promote(self, version: str) -> None:
        """Make ``version`` the one every process scores with (within seconds)."""
        self.get(version)
        previous = self.active()
        pipe = self.redis.pipeline(transaction=True)
        pipe.lpush(self.keys.model_history, previous or SHIPPED)
        pipe.ltrim(self.keys.model_history, 0, 99)
        pipe.set(self.keys.active_model, version)
        pipe.execute()

    def rollback(self) -> str:
        """Back to the version active before; returns it (``shipped`` for the shipped artifact)."""
        previous = self.redis.lpop(self.keys.model_history)
        if previous is None:
            raise UnknownVersion("no earlier version to roll back to")
        if previous == SHIPPED:
            self.redis.delete(self.keys.active_model)
        else:
            self.redis.set(self.keys.active_model, previous)
        return str(previous)

    def load(self, version: str) -> classifier.Model:
        """The version's model (its checksum checked)."""
        return build(self.fetch(version))

    def fetch(self, version: str) -> dict[str, str]:
        """The version's stored artifact (network I/O only: see ``build``)."""
        blob = self.redis.hgetall(self.keys.model_blob(version))
        if not blob:
            raise UnknownVersion(version)
        return blob  # type: ignore[no-any-return]


def build(blob: dict[str, str]) -> classifier.Model:
    """A model from its stored artifact: CPU work only, safe in another thread."""
    return classifier.load_parts(json.loads(blob["manifest"]), base64.b64decode(blob["weights"]))


def off_the_loop(work: Callable[[], Any]) -> Any:
    """Run CPU-heavy ``work`` (loading a model) in a real thread when gevent serves requests in greenlets,
    so that no request waits for it; directly otherwise."""
    try:
        from gevent import get_hub, monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return work()
    if monkey.is_module_patched("threading"):
        return get_hub().threadpool.apply(work)
    return work()


class ModelWatcher:
    """Follows the registry's active version: loads a new one off the request path, then hands it to
    ``swap`` (one reference assignment). Redis unreachable or a bad artifact: the current model stays."""

    def __init__(self, registry: Registry, shipped: Callable[[], classifier.Model], current: str,
                 swap: Callable[[classifier.Model], None], every: float = 2.0):
        self.registry, self.shipped, self.current, self.swap, self.every = registry, shipped, current, swap, every
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        """Switch if the active version changed; True when it did."""
        try:
            wanted = self.registry.active()
        except redis.RedisError:
            return False
        if (wanted or SHIPPED) == self.current:
            return False
        try:  # Redis I/O here (cooperative under gevent), the CPU-heavy part off the loop
            blob = self.registry.fetch(wanted) if wanted else None
            model = off_the_loop(lambda: build(blob) if blob else self.shipped())
        except (redis.RedisError, UnknownVersion, classifier.ArtifactError) as exc:
            log.warning("model %s not loaded, keeping %s: %s", wanted, self.current, exc)
            return False
        self.swap(model)
        self.current = wanted or SHIPPED
        log.info("model %s in force", model.version)
        return True

    def start(self) -> None:
        """Poll in the background (once per process: call after gunicorn forks)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="model-watcher", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(self.every)
            try:
                self.check()
            except Exception:  # a watcher that dies would leave this process on an old model for good
                log.exception("model watcher: check failed; trying again")
