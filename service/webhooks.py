"""Signed webhooks and moderator notifications, delivered in the background with retries.

Events are written to an outbox stream in the same atomic step as the change they announce
(materialise.lua, transition.lua), so none is lost; a consumer group hands each to one deliverer.
Each shard has its outbox; a deliverer reads them all.
A failed delivery is retried with exponential back-off from a sorted set of due attempts.

Signature (secret rotation: one ``v1`` per configured secret):
  X-Moderation-Timestamp: <unix seconds>
  X-Moderation-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">[,v1=...]
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import requests

from service.keys import Status
from service.store import CommentStore, now_iso

log = logging.getLogger(__name__)
PUBLIC_FIELDS = ("id", "post_id", "parent_id", "author", "url", "content", "created_at", "status",
                 "post_title", "post_url", "source", "site", "external_id")  # a site's plugin finds its own comment
GROUP = "webhooks"


@dataclass(frozen=True)
class Endpoint:
    url: str
    secrets: tuple[str, ...]
    events: frozenset[str] = frozenset()  # empty: every event

    @property
    def id(self) -> str:
        return hashlib.sha256(self.url.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class WebhookSettings:
    endpoints: tuple[Endpoint, ...] = ()
    max_attempts: int = 6
    backoff_seconds: float = 2.0
    timeout_seconds: float = 5.0
    notify_url: str | None = None
    notify_secrets: tuple[str, ...] = ()
    notify_pending_over: int = 50
    notify_older_than_seconds: float = 3600
    notify_every_seconds: float = 3600

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> WebhookSettings:
        notify_secret = cfg["NOTIFY_WEBHOOK_SECRET"]
        return cls(parse_endpoints(cfg["WEBHOOKS"]), cfg["WEBHOOK_MAX_ATTEMPTS"], cfg["WEBHOOK_BACKOFF_SECONDS"],
                   5.0, cfg["NOTIFY_WEBHOOK_URL"], (notify_secret,) if notify_secret else (),
                   cfg["NOTIFY_PENDING_OVER"], cfg["NOTIFY_OLDER_THAN_SECONDS"], cfg["NOTIFY_EVERY_SECONDS"])

    @property
    def active(self) -> bool:
        return bool(self.endpoints or self.notify_url)


def parse_endpoints(raw: str) -> tuple[Endpoint, ...]:
    """``MODERATION_WEBHOOKS``: a JSON list of {"url", "secrets": [...], "events": [...]}."""
    if not raw.strip():
        return ()
    return tuple(Endpoint(e["url"], tuple(e["secrets"]), frozenset(e.get("events", ()))) for e in json.loads(raw))


def delivery_log(store: CommentStore, endpoint: Endpoint, count: int = 50) -> list[dict[str, str]]:
    """The endpoint's last ``count`` delivery attempts, newest first."""
    return [fields for _, fields in store.redis.xrevrange(delivery_log_key(store, endpoint), count=count)]


def delivery_log_key(store: CommentStore, endpoint: Endpoint) -> str:
    """The stream of one endpoint's delivery attempts."""
    return store.keys.webhook_log(endpoint.id)


def signature(secrets: tuple[str, ...], timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return ",".join("v1=" + hmac.new(s.encode(), message, hashlib.sha256).hexdigest() for s in secrets)


def verify(secret: str, timestamp: str, body: bytes, header: str, tolerance: float = 300) -> bool:
    """What a receiver does: one of the signatures matches and the timestamp is recent."""
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = signature((secret,), timestamp, body)
    return any(hmac.compare_digest(expected.encode(), part.encode()) for part in header.split(","))


class Deliverer:
    """Reads the outbox, posts signed JSON, retries with back-off, logs each attempt per endpoint."""

    def __init__(self, store: CommentStore, settings: WebhookSettings, name: str):
        self.store, self.settings, self.name = store, settings, name
        self.retries = store.keys.webhook_retries
        self.session = requests.Session()

    def log_key(self, endpoint: Endpoint) -> str:
        return delivery_log_key(self.store, endpoint)

    @property
    def outboxes(self) -> list[str]:
        return [self.store.keys.events(shard) for shard in self.store.keys.all_shards()]

    def ensure_group(self) -> None:
        self.store.create_groups(GROUP, self.outboxes, "$")

    def step(self) -> int:
        """Deliver new events and due retries; send a queue notification when one is due."""
        sent = 0
        outboxes = self.outboxes
        for outbox, entry_id, event in self.store.read_group(GROUP, self.name, outboxes, 50, None):
            shard = outboxes.index(outbox)  # entry ids are unique per outbox; event ids must be unique overall
            event_id = entry_id if shard == 0 else f"{entry_id}.{shard}"
            for index, endpoint in enumerate(self.settings.endpoints):
                if not endpoint.events or event["type"] in endpoint.events:
                    sent += self.attempt(index, {**event, "event_id": event_id}, 1)
            self.store.redis.xack(outbox, GROUP, entry_id)
        for member in self.store.redis.zrangebyscore(self.retries, "-inf", time.time(), 0, 50):
            if self.store.redis.zrem(self.retries, member):  # whoever removes it delivers it
                due = json.loads(member)
                sent += self.attempt(due["endpoint"], due["event"], due["attempt"])
        self.maybe_notify()
        return sent

    def payload(self, event: dict[str, str]) -> dict[str, Any]:
        comment = self.store.get(event["comment_id"]) or {"id": event["comment_id"]}
        return {"id": event["event_id"], "type": event["type"], "created_at": event["at"],
                "comment": {k: comment.get(k) for k in PUBLIC_FIELDS}}  # never email, IP or scores

    def attempt(self, index: int, event: dict[str, str], attempt: int) -> int:
        endpoint = self.settings.endpoints[index]
        body = json.dumps(self.payload(event), ensure_ascii=False).encode()
        ok, detail = self._post(endpoint.url, endpoint.secrets, body)
        self.store.redis.xadd(self.log_key(endpoint), {
            "event_id": event["event_id"], "type": event["type"], "attempt": attempt, "ok": int(ok),
            "detail": detail, "at": now_iso()}, maxlen=1000, approximate=True)
        if not ok and attempt < self.settings.max_attempts:
            delay = self.settings.backoff_seconds * 2 ** (attempt - 1)
            member = json.dumps({"endpoint": index, "event": event, "attempt": attempt + 1}, sort_keys=True)
            self.store.redis.zadd(self.retries, {member: time.time() + delay})
        return int(ok)

    def _post(self, url: str, secrets: tuple[str, ...], body: bytes) -> tuple[bool, str]:
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Moderation-Timestamp": timestamp,
                   "X-Moderation-Signature": signature(secrets, timestamp, body)}
        try:
            response = self.session.post(url, data=body, headers=headers, timeout=self.settings.timeout_seconds)
        except requests.RequestException as exc:
            return False, type(exc).__name__
        return 200 <= response.status_code < 300, f"HTTP {response.status_code}"

    def maybe_notify(self) -> bool:
        """Tell moderators when the queue needs them, at most once per period (across all workers)."""
        s = self.settings
        if not s.notify_url:
            return False
        pending = self.store.counts()["pending"]
        age = self.store.oldest_age_seconds(Status.PENDING)
        if pending <= s.notify_pending_over and age <= s.notify_older_than_seconds:
            return False
        lock = self.store.keys.webhook_notified
        if not self.store.redis.set(lock, now_iso(), nx=True, ex=max(1, int(s.notify_every_seconds))):
            return False
        body = json.dumps({"type": "queue.attention", "created_at": now_iso(), "pending": pending,
                           "oldest_pending_seconds": round(age)}).encode()
        ok, detail = self._post(s.notify_url, s.notify_secrets, body)
        log.info("queue notification sent: %s", detail)
        return ok
