"""The scoring worker: batches, reclaiming from dead workers, and comments the model cannot score."""

from __future__ import annotations

import threading
import time

from flask import Flask
from flask.testing import FlaskClient

from service.keys import Status
from service.store import CommentStore
from service.worker import ScoringWorker, WorkerSettings
from tests.conftest import comment_payload, scoring_worker
from tests.servers import wait_until


def submit_many(client: FlaskClient, n: int) -> list[str]:
    return [client.post("/api/v1/comments", json=comment_payload(content=f"Avis numéro {i} sur l'article")).get_json()
            ["id"] for i in range(n)]


def worker(app: Flask, store: CommentStore, name: str, **settings: int) -> ScoringWorker:
    w = scoring_worker(app, WorkerSettings(block_ms=10, **settings), name)
    w.ensure_group()
    return w


def test_a_batch_is_scored_and_filed_with_reasons(app: Flask, client: FlaskClient, store: CommentStore) -> None:
    ids = submit_many(client, 5)
    assert worker(app, store, "w1").step() == 5
    for comment in store.get_many(ids):
        assert comment["status"] == Status.PENDING.value
        assert 0 <= comment["scores"]["spam"] <= 1 and 0 <= comment["scores"]["toxicity"] <= 1
        assert comment["language"] == "fr"
    assert store.redis.xlen(store.keys.incoming()) == 0  # acknowledged and trimmed in the same step
    assert store.redis.xpending(store.keys.incoming(), "scorers")["pending"] == 0


def test_blatant_spam_is_filed_as_spam(app: Flask, client: FlaskClient, store: CommentStore) -> None:
    text = "Check out my channel!! subscribe http://bit.ly/free-money win FREE iPhone click here http://spam.example"
    spam_id = client.post("/api/v1/comments", json=comment_payload(content=text)).get_json()["id"]
    worker(app, store, "w1").step()
    comment = store.get(spam_id)
    assert comment is not None and comment["status"] == "spam"
    assert any(r["rule"] == "spam_discard" for r in comment["reasons"])


def test_entries_of_a_worker_killed_mid_batch_are_scored_by_another(app: Flask, client: FlaskClient,
                                                                    store: CommentStore) -> None:
    ids = submit_many(client, 4)
    w = worker(app, store, "survivor", claim_idle_ms=50)
    # A worker reads the batch, then dies before filing anything: its entries stay pending in the group.
    store.redis.xreadgroup("scorers", "dead-worker", {store.keys.incoming(): ">"}, count=10)
    assert store.redis.xpending(store.keys.incoming(), "scorers")["pending"] == 4
    wait_until(lambda: w.step() == 4, timeout=5, what="the survivor to reclaim the batch")
    assert {c["status"] for c in store.get_many(ids)} == {"pending"}
    assert store.redis.xpending(store.keys.incoming(), "scorers")["pending"] == 0


def test_a_comment_that_keeps_failing_is_queued_as_classifier_unavailable(app: Flask, client: FlaskClient,
                                                                        store: CommentStore) -> None:
    [comment_id] = submit_many(client, 1)
    w = worker(app, store, "last", claim_idle_ms=0, max_attempts=3)
    # Three workers each take the comment and die with it (e.g. killed by the OOM killer while scoring).
    store.redis.xreadgroup("scorers", "crash-1", {store.keys.incoming(): ">"}, count=1)
    for name in ("crash-2", "crash-3"):
        store.redis.xautoclaim(store.keys.incoming(), "scorers", name, min_idle_time=0, start_id="0-0")
    assert w.step() == 1
    comment = store.get(comment_id)
    assert comment is not None
    assert comment["status"] == "pending"  # for humans: never approved, never dropped
    assert [r["rule"] for r in comment["reasons"]] == ["classifier_unavailable"]


def test_a_comment_decided_before_scoring_is_not_moved_back(app: Flask, client: FlaskClient, store: CommentStore,
                                                            auth: dict[str, str]) -> None:
    [comment_id] = submit_many(client, 1)
    client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "approve"}, headers=auth)
    worker(app, store, "late").step()
    comment = store.get(comment_id)
    assert comment is not None and comment["status"] == "approved"
    assert store.redis.xpending(store.keys.incoming(), "scorers")["pending"] == 0


def test_two_workers_share_the_stream_without_double_filing(app: Flask, client: FlaskClient,
                                                           store: CommentStore) -> None:
    ids = submit_many(client, 40)
    stop = threading.Event()
    workers = [worker(app, store, f"w{i}", batch=5) for i in range(2)]
    threads = [threading.Thread(target=w.run, args=(stop,)) for w in workers]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: store.counts()["pending"] == 40, timeout=20, what="all comments scored")
    finally:
        stop.set()
        for t in threads:
            t.join()
    scored = [e for e in store.audit_entries() if e["to"] == "pending"]
    assert sorted(e["comment_id"] for e in scored) == sorted(ids)  # each exactly once


def test_a_comment_that_overruns_the_scoring_budget_is_queued_for_humans_at_once(
        app: Flask, client: FlaskClient, store: CommentStore) -> None:
    normal = submit_many(client, 2)
    # The longest comment the schema accepts, of the kind that made the old patterns back-track.
    heavy = client.post("/api/v1/comments", json=comment_payload(content="a[.]" * 16_000)).get_json()["id"]
    w = worker(app, store, "budgeted", max_attempts=3)
    w.settings = WorkerSettings(block_ms=10, score_budget_seconds=0.1)  # far below what 64,000 characters take
    assert w.step() == 3
    comment = store.get(heavy)
    assert comment is not None and comment["status"] == "pending"
    [reason] = [r for r in comment["reasons"] if r["rule"] == "classifier_unavailable"]
    assert "0.1 s" in reason["detail"]
    # The rest of the batch was scored one by one, and nothing is left for another worker to reclaim.
    assert all(c["scores"] for c in store.get_many(normal))
    assert store.redis.xpending(store.keys.incoming(), "scorers")["pending"] == 0


def test_entries_waiting_behind_a_slow_comment_are_not_reclaimed_by_another_worker(
        app: Flask, client: FlaskClient, store: CommentStore) -> None:
    ids = submit_many(client, 3)
    w = worker(app, store, "slow")
    entries = w._read_new()
    time.sleep(0.2)
    w._keep_claimed([(stream, entry_id, {}) for stream, entry_id, _ in entries])
    other = worker(app, store, "other", claim_idle_ms=150)
    assert other._claim_stale() == []  # idle time was reset: still this worker's
    assert w.process(entries, first_delivery=True) == len(ids)
