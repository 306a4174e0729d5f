"""GDPR: IPs truncated once scored, export and erasure by email, nothing personal left behind."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from service.privacy import truncate_ip
from service.store import CommentStore
from service.worker import WorkerSettings
from tests.conftest import comment_payload, scoring_worker
from tests.servers import RedisServer, wait_until

EMAIL = "Jeanne.Dupont@example.fr"


def _score(app: Flask, store: CommentStore) -> None:
    worker = scoring_worker(app, WorkerSettings(block_ms=10), "t")
    worker.ensure_group()
    worker.step()


def test_ips_are_truncated() -> None:
    assert truncate_ip("203.0.113.77") == "203.0.113.0/24"
    assert truncate_ip("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert truncate_ip("not-an-ip") == "" and truncate_ip(None) == ""


def _everything(store: CommentStore) -> str:
    """Every key and value under the deployment's prefix, as one string to search."""
    r, parts = store.redis, []
    for key in r.scan_iter(match=f"{store.keys.prefix}:*"):
        parts.append(key)
        kind = r.type(key)
        if kind == "hash":
            parts += [f"{k}={v}" for k, v in r.hgetall(key).items()]
        elif kind == "string":
            parts.append(str(r.get(key)))
        elif kind == "set":
            parts += list(r.smembers(key))
        elif kind == "zset":
            parts += r.zrange(key, 0, -1)
        elif kind == "stream":
            parts += [str(fields) for _, fields in r.xrange(key)]
    return "\n".join(parts)


def test_export_then_erase_leaves_no_trace(app: Flask, client: FlaskClient, store: CommentStore,
                                           auth: dict[str, str]) -> None:
    wave = "Gagnez de l'argent facilement depuis chez vous avec notre méthode secrète"
    mine = [client.post("/api/v1/comments", json=comment_payload(email=EMAIL, content=text)).get_json()["id"]
            for text in ("Premier avis.", "Second avis, merci.", wave)]
    other = client.post("/api/v1/comments", json=comment_payload(email="autre@example.fr")).get_json()["id"]
    _score(app, store)
    client.post(f"/api/v1/moderation/comments/{mine[0]}/decision", json={"action": "approve"}, headers=auth)
    client.post("/api/v1/moderation/authors", json={"email": EMAIL, "mode": "hold"}, headers=auth)

    exported = client.post("/api/v1/moderation/privacy/export", json={"email": EMAIL}, headers=auth).get_json()
    assert sorted(c["id"] for c in exported["comments"]) == sorted(mine)
    assert exported["approved_comments"] == 1 and exported["author_rules"][0]["mode"] == "hold"

    digest = app.extensions["moderation.guard"].digest(EMAIL)
    assert EMAIL in _everything(store) and digest in _everything(store)
    erased = client.post("/api/v1/moderation/privacy/erase", json={"email": EMAIL}, headers=auth).get_json()
    assert erased["comments"] == 3 and erased["audit_entries"] >= 6
    left = _everything(store)
    assert EMAIL not in left and EMAIL.lower() not in left and digest not in left
    assert all(comment_id not in left for comment_id in mine)
    assert store.get(other) is not None  # nobody else is touched
    assert store.audit_entries()[-1]["to"] == "erased"
    assert client.get("/api/v1/posts/42/comments").get_json()["items"] == []


def test_privacy_endpoints_need_a_moderator_and_a_valid_email(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.post("/api/v1/moderation/privacy/export", json={"email": EMAIL}).status_code == 401
    bad = client.post("/api/v1/moderation/privacy/erase", json={"email": "nope"}, headers=auth)
    assert bad.status_code == 422 and "email" in bad.get_json()["errors"]


def test_retention_purges_old_spam_and_rejected_only_once_across_workers(app: Flask, client: FlaskClient,
                                                                         store: CommentStore,
                                                                         auth: dict[str, str]) -> None:
    ids = {action: client.post("/api/v1/comments", json=comment_payload(content=f"Avis {action}")).get_json()["id"]
           for action in ("spam", "reject", "approve", "keep")}
    for action in ("spam", "reject", "approve"):
        client.post(f"/api/v1/moderation/comments/{ids[action]}/decision", json={"action": action}, headers=auth)
    settings = WorkerSettings(block_ms=10, retention_days={"spam": 0.0, "rejected": 0.0})
    workers = [scoring_worker(app, settings, f"w{i}") for i in range(2)]
    assert workers[0].maybe_purge() == 2
    assert workers[1].maybe_purge() == 0  # the other replica finds the lock taken
    assert store.get(ids["spam"]) is None and store.get(ids["reject"]) is None
    assert store.get(ids["approve"]) is not None and store.get(ids["keep"]) is not None
    assert store.counts()["spam"] == store.counts()["rejected"] == 0


def _on_disk(directory: Path, needle: str) -> bool:
    return any(needle.encode() in f.read_bytes() for f in directory.rglob("*") if f.is_file() and "aof" in f.name)


def test_erasure_rewrites_the_append_only_file_so_the_email_leaves_the_disk(
        client: FlaskClient, store: CommentStore, auth: dict[str, str], redis_server: RedisServer) -> None:
    email = f"efface-{uuid.uuid4().hex[:8]}@example.fr"
    client.post("/api/v1/comments", json=comment_payload(email=email, content="À effacer, s'il vous plaît."))
    assert _on_disk(redis_server.dir, email)  # appendfsync always: it is on disk already

    def quiet() -> bool:  # the suite's Redis is shared: another test's writes may have started a rewrite of their own
        info = store.redis.info("persistence")
        return not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]
    wait_until(quiet, timeout=30, what="no append-only file rewrite running")
    answer = client.post("/api/v1/moderation/privacy/erase", json={"email": email}, headers=auth).get_json()
    assert answer["comments"] == 1 and answer["disk"] == "append-only file rewrite started"
    # Before: the email stayed in the append-only file until Redis happened to rewrite it.
    wait_until(lambda: not _on_disk(redis_server.dir, email), timeout=30, what="the rewritten append-only file")
