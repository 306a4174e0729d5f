"""One intake for every door: the same submission is stored as the same record whichever door it came through;
an acknowledged comment is found before a worker writes it; the worker writes it once and does not score
again what a door already scored."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.auth import create_api_key, create_token
from service.intake import RECORD
from service.keys import Status
from service.store import CommentStore
from service.worker import WorkerSettings
from tests.conftest import comment_payload, scoring_worker

POST = "https://blog.example/2026/12/article"
HEADERS = {"User-Agent": "Firefox/140", "Referer": "https://blog.example/", "Accept-Language": "fr-FR"}
SAME = {"post_id": POST, "author": "Camille", "email": "camille@example.fr", "url": "https://camille.example",
        "content": "Merci pour cet article très clair, j'attends la suite."}


@pytest.fixture
def api_key(store: CommentStore) -> str:
    return create_api_key(store.redis, store.keys, "blog")


def comparable(comment: dict[str, Any] | None) -> dict[str, Any]:
    """The stored record's fields that do not depend on the door or the moment."""
    assert comment is not None
    return {k: comment.get(k) for k in RECORD if k not in ("source", "created_us", "created_at")}


def by_api(client: FlaskClient) -> str:
    answer = client.post("/api/v1/comments", json=SAME, headers=HEADERS)
    assert answer.status_code == 202, answer.get_json()
    return str(answer.get_json()["id"])


def by_form(client: FlaskClient) -> str:
    form = {"comment_post_ID": POST, "author": SAME["author"], "email": SAME["email"], "url": SAME["url"],
            "comment": SAME["content"]}
    answer = client.post("/api/v1/comments", data=form, headers={**HEADERS, "Accept": "application/json"})
    assert answer.status_code == 202, answer.get_json()
    return str(answer.get_json()["id"])


def by_akismet(client: FlaskClient, key: str) -> str:
    answer = client.post("/1.1/comment-check", data={
        "api_key": key, "blog": "https://blog.example", "permalink": POST, "user_ip": "127.0.0.1",
        "user_agent": HEADERS["User-Agent"], "referrer": HEADERS["Referer"], "blog_lang": HEADERS["Accept-Language"],
        "comment_author": SAME["author"], "comment_author_email": SAME["email"], "comment_author_url": SAME["url"],
        "comment_content": SAME["content"]})
    assert answer.status_code == 200 and answer.text in ("true", "false")
    return answer.headers["X-akismet-guid"]


def test_every_door_stores_the_json_apis_record_apart_from_its_source(settings: dict[str, object],
                                                                      client: FlaskClient, store: CommentStore,
                                                                      api_key: str) -> None:
    api, form, akismet = by_api(client), by_form(client), by_akismet(client, api_key)
    stored = store.get_each([api, form, akismet])  # found before any worker wrote them: from their entries
    assert comparable(stored[0]) == comparable(stored[1]) == comparable(stored[2])
    assert [c["source"] for c in stored if c] == ["api", "form", "akismet"]
    assert comparable(stored[0])["email_hash"] and comparable(stored[0])["ip"] == "127.0.0.1"


def test_perspective_stores_the_text_as_the_json_api_stores_it(settings: dict[str, object]) -> None:
    from service import create_app

    app = create_app({**settings, "TESTING": True, "PERSPECTIVE_STORE": True})
    client, store = app.test_client(), app.extensions["moderation.store"]
    key = create_api_key(store.redis, store.keys, "coral")
    body = {"comment": {"text": SAME["content"]}, "requestedAttributes": {"TOXICITY": {}}, "doNotStore": False,
            "communityId": POST}
    assert client.post(f"/v1alpha1/comments:analyze?key={key}", json=body).status_code == 200
    api = by_api(client)
    [(perspective_id, _), _] = store.unfiled(0)
    via_api, via_perspective = store.get_each([api, perspective_id])
    assert via_perspective and via_api
    for name in ("post_id", "content"):
        assert via_perspective[name] == via_api[name]
    assert via_perspective["source"] == "perspective" and via_perspective["scores"]["toxicity"] >= 0


class RefusingModel:
    """A model that fails if asked: a comment a door already scored must not reach it."""

    version = "refusing"

    def score_many(self, comments: list[dict[str, Any]]) -> list[Any]:
        raise RuntimeError(f"asked to score {len(comments)} comment(s)")


def test_a_comment_a_door_scored_is_filed_without_scoring_it_again(app: Flask, client: FlaskClient,
                                                                   store: CommentStore, api_key: str) -> None:
    scored, unscored = by_akismet(client, api_key), client.post(
        "/api/v1/comments", json=comment_payload(content="Un avis que personne n'a encore noté.")).get_json()["id"]
    worker = scoring_worker(app, WorkerSettings(block_ms=10))
    worker.model = RefusingModel()  # type: ignore[assignment]
    worker.ensure_group()
    worker.step()
    filed, waiting = store.get_each([scored, unscored])
    assert filed and filed["status"] == Status.PENDING.value and filed["model_version"]
    assert filed["scores"]["spam"] >= 0 and any(r["rule"] for r in filed["reasons"])
    assert waiting and waiting["status"] == Status.RECEIVED.value  # its scoring failed: it stays for a retry


def test_a_replayed_stream_entry_writes_nothing_twice(app: Flask, client: FlaskClient, store: CommentStore) -> None:
    comment_id = by_api(client)
    assert store.materialise([comment_id, comment_id]) == ["written", "exists"]
    worker = scoring_worker(app)
    worker.ensure_group()
    assert worker.step() == 1
    assert store.materialise([comment_id]) == ["exists"]
    received = [e for e in store.audit_entries() if e["comment_id"] == comment_id and e["to"] == "received"]
    assert len(received) == 1


def test_a_moderator_decides_a_comment_no_worker_has_written_yet(app: Flask, client: FlaskClient,
                                                                  store: CommentStore) -> None:
    comment_id = by_api(client)
    auth = {"Authorization": f"Bearer {create_token(store.redis, store.keys, 'alice')}"}
    detail = client.get(f"/api/v1/moderation/comments/{comment_id}", headers=auth)
    assert detail.status_code == 200 and detail.get_json()["status"] == "received"
    decided = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "approve"},
                          headers=auth)
    assert decided.status_code == 200, decided.get_json()
    worker = scoring_worker(app)
    worker.ensure_group()
    worker.step()  # the entry is acknowledged as already filed: the decision stands
    comment = store.get(comment_id)
    assert comment and comment["status"] == Status.APPROVED.value
    assert store.redis.xlen(store.keys.incoming()) == 0


def test_an_erasure_reaches_a_comment_no_worker_has_written_yet(app: Flask, client: FlaskClient,
                                                                store: CommentStore) -> None:
    from service import privacy

    comment_id = by_api(client)
    guard = app.extensions["moderation.guard"]
    assert [c["id"] for c in privacy.export(store, guard, SAME["email"])["comments"]] == [comment_id]
    assert privacy.erase(store, guard, SAME["email"], "test")["comments"] == 1
    assert store.get(comment_id) is None and store.redis.xlen(store.keys.incoming()) == 0
    worker = scoring_worker(app)
    worker.ensure_group()
    assert worker.step() == 0 and store.get(comment_id) is None


def test_an_id_that_names_no_entry_of_ours_finds_nothing(client: FlaskClient, store: CommentStore) -> None:
    comment_id = by_api(client)
    forged = comment_id[:17] + "0" * 15  # the right entry, the wrong random part
    assert store.get(forged) is None and store.materialise([forged]) == ["gone"]
