"""CommentStore: atomic transitions, indexes that never disagree, cursor paging with ties."""

from __future__ import annotations

import time

from service.antiabuse import Guard, GuardSettings
from service.keys import Keys, Status
from service.store import CommentStore, now_iso


def new(store: CommentStore, post: str = "p") -> str:
    """A received comment, written to its hash and indexes as the scoring worker writes it."""
    guard = Guard(store.redis, store.keys, "secret", GuardSettings(flood_seconds=0, duplicate_days=0))
    record = {"post_id": post, "author": "A", "email": "a@example.fr", "content": "x",
              "created_us": str(time.time_ns() // 1000), "created_at": now_iso()}
    receipt = store.receive(record, guard.admission(post, "a@example.fr", "192.0.2.1", "x", checks=False))
    assert store.materialise([receipt.comment_id]) == ["written"]
    return receipt.comment_id


def test_every_key_carries_the_prefix_and_one_hash_tag(store: CommentStore) -> None:
    new(store)
    keys = store.redis.keys(f"{store.keys.prefix}:*")
    assert keys and all(k.startswith(f"{store.keys.prefix}:{{c}}:") for k in keys)


def test_a_comment_is_in_exactly_one_status_index(store: CommentStore) -> None:
    comment_id = new(store)
    store.transition(comment_id, (Status.RECEIVED,), Status.PENDING, "t", "scored", risk=0.3)
    store.transition(comment_id, (Status.PENDING,), Status.APPROVED, "t", "approve")
    memberships = [s for s in Status if store.redis.zscore(store.keys.by_time(s.value), comment_id) is not None]
    assert memberships == [Status.APPROVED]
    assert store.redis.zscore(store.keys.post_by_risk("p", "approved"), comment_id) == 0.3


def test_transition_from_a_disallowed_status_changes_nothing(store: CommentStore) -> None:
    comment_id = new(store)
    before = store.redis.hgetall(store.keys.comment(comment_id))
    outcome = store.transition(comment_id, (Status.PENDING,), Status.APPROVED, "t", "approve")
    assert (outcome.result, outcome.previous) == ("conflict", "received")
    assert store.redis.hgetall(store.keys.comment(comment_id)) == before


def test_risk_paging_survives_ties(store: CommentStore) -> None:
    ids = [new(store) for _ in range(9)]
    for comment_id in ids:
        store.transition(comment_id, (Status.RECEIVED,), Status.PENDING, "t", "scored", risk=0.5)
    seen, cursor = [], None
    while True:
        page, cursor = store.page(Status.PENDING, "risk", cursor=cursor, limit=2)
        seen += [c["id"] for c in page]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == len(ids)


def test_keys_come_from_one_prefix() -> None:
    keys = Keys("blog1")
    assert keys.comment("abc") == "blog1:{c}:comment:abc"
    assert keys.post_by_time("42", "approved") == "blog1:{c}:post:42:approved:time"
