"""Webhooks and moderator notifications, delivered to a real local HTTP receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.store import CommentStore
from service.webhooks import Endpoint, WebhookSettings, verify
from service.worker import ScoringWorker, WorkerSettings
from tests.conftest import comment_payload, scoring_worker
from tests.servers import Receiver, wait_until


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(failures=2)
    yield r
    r.close()


def _worker(app: Flask, store: CommentStore, hooks: WebhookSettings) -> ScoringWorker:
    w = scoring_worker(app, WorkerSettings(block_ms=10, webhooks=hooks), "w")
    w.ensure_group()
    assert w.deliverer is not None
    w.deliverer.ensure_group()
    return w


def test_events_are_signed_retried_and_never_carry_personal_data(app: Flask, client: FlaskClient,
                                                                  store: CommentStore, auth: dict[str, str],
                                                                  receiver: Receiver) -> None:
    endpoint = Endpoint(receiver.url, ("new-secret", "old-secret"))
    worker = _worker(app, store, WebhookSettings((endpoint,), max_attempts=5, backoff_seconds=0.05))
    payload = comment_payload(email="secret.person@example.fr")
    comment_id = client.post("/api/v1/comments", json=payload).get_json()["id"]
    worker.step()
    client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "approve"}, headers=auth)
    assert worker.deliverer is not None
    wait_until(lambda: worker.deliverer.step() >= 0 and len(receiver.received) >= 4, 10, what="deliveries")
    bodies = [json.loads(body) for _, body in receiver.received]
    assert sorted(b["type"] for b in bodies) == ["comment.approved"] * 2 + ["comment.received"] * 2
    for headers, body in receiver.received:
        for secret in ("new-secret", "old-secret"):  # either side of a rotation verifies
            assert verify(secret, headers["X-Moderation-Timestamp"], body, headers["X-Moderation-Signature"])
        assert not verify("wrong", headers["X-Moderation-Timestamp"], body, headers["X-Moderation-Signature"])
        assert b"secret.person" not in body and b"127.0.0.1" not in body and b"email" not in body
    approved = next(b for b in bodies if b["type"] == "comment.approved")
    assert approved["comment"]["status"] == "approved" and approved["comment"]["id"] == comment_id
    attempts = [e for _, e in store.redis.xrange(worker.deliverer.log_key(endpoint))]
    for kind in ("comment.received", "comment.approved"):  # the receiver failed twice: each was retried once
        assert [(e["attempt"], e["ok"]) for e in attempts if e["type"] == kind] == [("1", "0"), ("2", "1")]


def test_delivery_log_is_listed_for_moderators(settings: dict[str, object], token: str, receiver: Receiver) -> None:
    from service import create_app

    hooks = json.dumps([{"url": receiver.url, "secrets": ["s"], "events": ["comment.spam"]}])
    app = create_app({**settings, "WEBHOOKS": hooks, "WEBHOOK_BACKOFF_SECONDS": 0.05})
    client, store = app.test_client(), app.extensions["moderation.store"]
    worker = _worker(app, store, WorkerSettings.from_config(app.config).webhooks)
    comment_id = client.post("/api/v1/comments", json=comment_payload()).get_json()["id"]
    client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "spam"},
                headers={"Authorization": f"Bearer {token}"})
    assert worker.deliverer is not None
    wait_until(lambda: worker.deliverer.step() >= 0 and len(receiver.received) >= 3, 10, what="deliveries")
    [item] = client.get("/api/v1/moderation/webhooks", headers={"Authorization": f"Bearer {token}"}).get_json()[
        "items"]
    assert item["url"] == receiver.url and item["events"] == ["comment.spam"]
    assert [d["ok"] for d in item["deliveries"]] == ["1", "0", "0"]  # newest first
    assert all(json.loads(b)["type"] == "comment.spam" for _, b in receiver.received)  # filtered by event


def test_queue_notification_is_sent_at_most_once_per_period(app: Flask, client: FlaskClient,
                                                            store: CommentStore) -> None:
    receiver = Receiver()
    try:
        hooks = WebhookSettings(notify_url=receiver.url, notify_secrets=("n",), notify_pending_over=1,
                                notify_every_seconds=3600)
        worker = _worker(app, store, hooks)
        for i in range(3):
            client.post("/api/v1/comments", json=comment_payload(content=f"Avis {i}"))
        worker.step()
        assert worker.deliverer is not None
        assert worker.deliverer.maybe_notify() is True
        assert worker.deliverer.maybe_notify() is False  # once per period, across workers
        [(headers, body)] = receiver.received
        assert json.loads(body)["type"] == "queue.attention" and json.loads(body)["pending"] == 3
        assert verify("n", headers["X-Moderation-Timestamp"], body, headers["X-Moderation-Signature"])
    finally:
        receiver.close()
