"""Sharded comment data (MODERATION_REDIS_SHARDS=4) on one Redis server.

A post's comments live together in one shard; posts spread over the shards; everything that
spans the deployment (queue pages, counts, trust, export and erasure, webhooks, retention)
sees every shard.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.keys import Keys, Status
from service.store import CommentStore, LayoutMismatch
from service.webhooks import Endpoint, WebhookSettings
from service.worker import WorkerSettings
from tests.conftest import comment_payload, scoring_worker, write_waiting
from tests.servers import Receiver, wait_until

SHARDS = 4
POSTS = [f"post-{i}" for i in range(12)]


@pytest.fixture
def app(settings: dict[str, object]) -> Iterator[Flask]:
    app = create_app({**settings, "REDIS_SHARDS": SHARDS, "TESTING": True})
    yield app
    app.extensions["moderation.store"].redis.close()


def submit(client: FlaskClient, post: str, i: int, email: str = "camille@example.fr") -> str:
    answer = client.post("/api/v1/comments", json=comment_payload(post_id=post, email=email,
                                                                   content=f"Avis numéro {i} sur {post}"))
    assert answer.status_code == 202, answer.get_json()
    return str(answer.get_json()["id"])


def score_all(app: Flask, store: CommentStore) -> None:
    worker = scoring_worker(app, WorkerSettings(block_ms=10), "w")
    worker.ensure_group()
    while worker.step():
        pass


def tag(key: str) -> str:
    return re.search(r"\{[^}]*\}", key).group(0)  # type: ignore[union-attr]


def test_a_posts_comments_stay_in_one_shard_and_posts_spread_over_all_shards(client: FlaskClient,
                                                                              store: CommentStore) -> None:
    ids = {post: [submit(client, post, i) for i in range(2)] for post in POSTS}
    write_waiting(store)
    shards_used = set()
    for post, post_ids in ids.items():
        shard = store.keys.shard_of_post(post)
        assert {store.keys.shard_of_id(i) for i in post_ids} == {shard}
        post_keys = store.redis.keys(f"{store.keys.prefix}:*:post:{post}:*") + [store.keys.comment(i) for i in post_ids]
        assert {tag(k) for k in post_keys} == {"{c}" if shard == 0 else f"{{c{shard}}}"}
        shards_used.add(shard)
    assert shards_used == set(range(SHARDS))
    assert sum(store.counts().values()) == 2 * len(POSTS)


def test_the_queue_is_one_order_across_shards_page_after_page(app: Flask, client: FlaskClient,
                                                              store: CommentStore) -> None:
    ids = [submit(client, post, i) for i in range(3) for post in POSTS]
    for n, comment_id in enumerate(ids):  # risks with many ties, across shards
        store.transition(comment_id, (Status.RECEIVED,), Status.PENDING, "t", "scored", risk=(n % 4) / 4)
    everything = store.get_many(ids)
    for sort, expected in [
        ("risk", sorted(everything, key=lambda c: (c["risk"], c["id"]), reverse=True)),
        ("oldest", sorted(everything, key=lambda c: int(c["created_us"]))),
        ("newest", sorted(everything, key=lambda c: int(c["created_us"]), reverse=True)),
    ]:
        seen, cursor = [], None
        while True:
            page, cursor = store.page(Status.PENDING, sort, cursor=cursor, limit=5)
            assert len(page) <= 5
            seen += [c["id"] for c in page]
            if cursor is None:
                break
        assert seen == [c["id"] for c in expected], sort


def test_moderation_public_lists_trust_and_the_oldest_pending_span_shards(app: Flask, client: FlaskClient,
                                                                         store: CommentStore,
                                                                         auth: dict[str, str]) -> None:
    ids = {post: submit(client, post, 0) for post in POSTS}
    score_all(app, store)
    queue = client.get("/api/v1/moderation/queue?limit=100", headers=auth).get_json()
    assert sorted(c["id"] for c in queue["items"]) == sorted(ids.values())
    assert queue["counts"]["pending"] == len(POSTS)
    first = min(int(c["created_us"]) for c in store.get_many(list(ids.values())))
    assert store.oldest_created_us(Status.PENDING) == first
    for post in POSTS[:5]:
        assert client.post(f"/api/v1/moderation/comments/{ids[post]}/decision", json={"action": "approve"},
                           headers=auth).status_code == 200
        assert [c["id"] for c in client.get(f"/api/v1/posts/{post}/comments").get_json()["items"]] == [ids[post]]
    assert client.get(f"/api/v1/posts/{POSTS[6]}/comments").get_json()["items"] == []
    digest = app.extensions["moderation.guard"].digest("camille@example.fr")
    assert len({store.keys.shard_of_post(p) for p in POSTS[:5]}) > 1  # the trust below sums several shards
    assert store.trust_counts([digest]) == [5]


def test_export_and_erasure_reach_every_shard(app: Flask, client: FlaskClient, store: CommentStore,
                                              auth: dict[str, str]) -> None:
    mine = [submit(client, post, 0, email="lea@example.fr") for post in POSTS]
    theirs = submit(client, POSTS[0], 1)
    exported = client.post("/api/v1/moderation/privacy/export", json={"email": "lea@example.fr"}, headers=auth)
    assert sorted(c["id"] for c in exported.get_json()["comments"]) == sorted(mine)
    erased = client.post("/api/v1/moderation/privacy/erase", json={"email": "lea@example.fr"}, headers=auth)
    assert erased.get_json()["comments"] == len(POSTS)
    leftovers = [k for k in store.redis.keys(f"{store.keys.prefix}:*") if any(i in k for i in mine)]
    assert leftovers == []
    for shard in store.keys.all_shards():
        for stream in (store.keys.audit(shard), store.keys.events(shard)):
            assert not any(e["comment_id"] in mine for _, e in store.redis.xrange(stream))
    assert store.get(theirs) is not None


def test_the_worker_scores_every_shard(app: Flask, client: FlaskClient, store: CommentStore) -> None:
    ids = [submit(client, post, 0) for post in POSTS]
    score_all(app, store)
    assert {c["status"] for c in store.get_many(ids)} == {Status.PENDING.value}
    for shard in store.keys.all_shards():
        assert store.redis.xpending(store.keys.incoming(shard), "scorers")["pending"] == 0


def test_the_number_of_shards_cannot_change_under_existing_data(client: FlaskClient, store: CommentStore,
                                                                settings: dict[str, object]) -> None:
    assert client.get("/readyz").status_code == 200  # records 4
    other = CommentStore(store.redis, store.keys.prefix, shards=2)
    with pytest.raises(LayoutMismatch, match="MODERATION_REDIS_SHARDS=4"):
        other.check_layout()
    misconfigured = create_app({**settings, "REDIS_SHARDS": 2, "TESTING": True})
    answer = misconfigured.test_client().get("/readyz")
    assert answer.status_code == 503 and "MODERATION_REDIS_SHARDS=4" in answer.get_json()["checks"]["redis"]
    refused = misconfigured.test_client().post("/api/v1/comments", json=comment_payload())
    assert refused.status_code == 503 and refused.get_json()["code"] == "unavailable"
    misconfigured.extensions["moderation.store"].redis.close()
    store.check_layout()  # the recorded number still passes


def test_the_first_submission_records_the_number_and_older_data_counts_as_one_shard(store: CommentStore,
                                                                                      client: FlaskClient) -> None:
    submit(client, POSTS[0], 0)
    assert store.redis.get(store.keys.layout) == str(SHARDS)
    older = Keys(f"{store.keys.prefix}-old")  # data from a version that recorded no number
    store.redis.xadd(older.audit(), {"comment_id": "x", "to": "received"})
    with pytest.raises(LayoutMismatch, match="MODERATION_REDIS_SHARDS=1"):
        CommentStore(store.redis, older.prefix, shards=16).check_layout()


def test_ids_name_their_shard_and_one_shard_keeps_the_old_key_names() -> None:
    keys = Keys("blog1", shards=8)
    for post in POSTS:
        comment_id = keys.comment_id("1764806400123-7", keys.id_suffix(post))
        assert keys.shard_of_id(comment_id) == keys.shard_of_post(post)
        assert re.fullmatch(r"[0-9a-f]{32}", comment_id)
        assert keys.entry_of(comment_id) == "1764806400123-7"  # the id names its scoring-stream entry
    single = Keys("blog1")
    assert single.comment(single.comment_id("1-0", single.id_suffix("42"))).startswith("blog1:{c}:comment:")
    assert single.incoming() == "blog1:{c}:incoming"


def test_webhooks_announce_events_from_every_shard_with_distinct_ids(app: Flask, client: FlaskClient,
                                                                     store: CommentStore) -> None:
    receiver = Receiver()
    try:
        hooks = WebhookSettings((Endpoint(receiver.url, ("s",)),))
        worker = scoring_worker(app, WorkerSettings(block_ms=10, webhooks=hooks),
                               "w")
        assert worker.deliverer is not None
        worker.deliverer.ensure_group()
        ids = {submit(client, post, 0) for post in POSTS}
        write_waiting(store)
        wait_until(lambda: worker.deliverer.step() >= 0 and len(receiver.received) >= len(POSTS), 10,
                   what="deliveries")
        bodies = [json.loads(body) for _, body in receiver.received]
        assert {b["comment"]["id"] for b in bodies} == ids
        assert len({b["id"] for b in bodies}) == len(bodies)  # event ids stay unique across the shards' outboxes
    finally:
        receiver.close()


def test_retention_purges_every_shard(app: Flask, client: FlaskClient, store: CommentStore,
                                      auth: dict[str, str]) -> None:
    ids = [submit(client, post, 0) for post in POSTS]
    for comment_id in ids[:8]:
        client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "spam"}, headers=auth)
    assert len({store.keys.shard_of_id(i) for i in ids[:8]}) > 1
    worker = scoring_worker(app, WorkerSettings(block_ms=10, retention_days={"spam": 0.0}), "w")
    assert worker.purge() == 8
    assert store.get_many(ids) == store.get_many(ids[8:]) and len(store.get_many(ids)) == 4
