"""Moderator API: tokens, the queue, one comment in full, decisions and conflicts."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.store import CommentStore
from service.worker import WorkerSettings
from tests.conftest import comment_payload, scoring_worker


def submit(client: FlaskClient, **overrides: object) -> str:
    response = client.post("/api/v1/comments", json=comment_payload(**overrides))
    assert response.status_code == 202, response.get_json()
    return str(response.get_json()["id"])


def score_all(app: Flask, store: CommentStore) -> int:
    worker = scoring_worker(app, WorkerSettings(block_ms=10), "test")
    worker.ensure_group()
    return worker.step()


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401), ({"Authorization": "Basic abc"}, 401), ({"Authorization": "Bearer "}, 401),
    ({"Authorization": "Bearer mod_not-a-real-token"}, 403),
])
def test_moderator_endpoints_need_a_valid_token(client: FlaskClient, headers: dict[str, str], status: int) -> None:
    for method, path in [("get", "/api/v1/moderation/queue"), ("get", "/api/v1/moderation/comments/x"),
                         ("post", "/api/v1/moderation/comments/x/decision")]:
        response = getattr(client, method)(path, headers=headers)
        assert response.status_code == status
        assert set(response.get_json()) == {"code", "message", "errors"}


def test_queue_lists_scored_comments_with_full_detail(app: Flask, client: FlaskClient, store: CommentStore,
                                                      auth: dict[str, str]) -> None:
    comment_id = submit(client, content="Espèce de connard, tu ne comprends rien.")
    assert score_all(app, store) == 1
    page = client.get("/api/v1/moderation/queue", headers=auth).get_json()
    assert [c["id"] for c in page["items"]] == [comment_id]
    item = page["items"][0]
    assert item["email"] == "camille@example.fr"
    assert item["status"] == "pending"
    assert item["scores"]["toxicity"] > 0.5
    assert any(r["rule"] == "toxicity" for r in item["reasons"])
    assert page["counts"]["pending"] == 1
    detail = client.get(f"/api/v1/moderation/comments/{comment_id}", headers=auth).get_json()
    assert detail["model_version"] == app.extensions["moderation.model"].version


def test_queue_sorts_oldest_newest_and_riskiest(app: Flask, client: FlaskClient, store: CommentStore,
                                                auth: dict[str, str]) -> None:
    civil = submit(client, content="Merci pour cet article, très instructif.")
    rude = submit(client, content="Ferme ta gueule espèce de connard de merde.")
    mild = submit(client, content="Je ne suis pas d'accord avec l'auteur.")
    score_all(app, store)

    def ids(sort: str) -> list[str]:
        return [c["id"] for c in client.get(f"/api/v1/moderation/queue?sort={sort}", headers=auth).get_json()["items"]]

    assert ids("oldest") == [civil, rude, mild]
    assert ids("newest") == [mild, rude, civil]
    assert ids("risk")[0] == rude


def test_queue_filters_by_post_and_pages_by_cursor(app: Flask, client: FlaskClient, store: CommentStore,
                                                   auth: dict[str, str]) -> None:
    on_a = [submit(client, post_id="a", content=f"Commentaire numéro {i}") for i in range(7)]
    submit(client, post_id="b")
    score_all(app, store)
    seen: list[str] = []
    url = "/api/v1/moderation/queue?post=a&limit=3"
    while url:
        page = client.get(url, headers=auth).get_json()
        seen += [c["id"] for c in page["items"]]
        url = f"/api/v1/moderation/queue?post=a&limit=3&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert seen == on_a


def test_queue_filters_by_reason_language_and_author_page_after_page(
        app: Flask, client: FlaskClient, store: CommentStore, auth: dict[str, str]) -> None:
    rude = [submit(client, author=f"Max {i}", content=f"Espèce de connard numéro {i}, tu dis n'importe quoi.")
            for i in range(5)]
    civil = [submit(client, author=f"Léa {i}", content=f"Merci pour cet article très clair, partie {i}.")
             for i in range(4)]
    english = submit(client, author="Sam", email="sam@example.org",
                     content="Thanks for this clear article, I learned a lot today.")
    score_all(app, store)

    def ids(query: str) -> list[str]:
        seen, cursor = [], ""
        while True:
            page = client.get(f"/api/v1/moderation/queue?limit=2&{query}{cursor}", headers=auth).get_json()
            assert len(page["items"]) <= 2
            seen += [c["id"] for c in page["items"]]
            if not page["next_cursor"]:
                return seen
            cursor = f"&cursor={page['next_cursor']}"

    assert ids("reason=hold_word") == rude  # "connard" is on the shipped hold list
    assert ids("language=en") == [english]
    assert ids("q=L%C3%89A") == civil  # any case, in the author's name
    assert ids("q=example.org") == [english]  # or in the email
    assert ids("") == rude + civil + [english]


@pytest.mark.parametrize("query", ["status=bogus", "sort=random", "limit=0", "cursor=nonsense", "language=de",
                                   "reason=DROP%20TABLE"])
def test_bad_queue_queries_get_422(client: FlaskClient, auth: dict[str, str], query: str) -> None:
    response = client.get(f"/api/v1/moderation/queue?{query}", headers=auth)
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_decision_moves_the_comment_and_is_audited(app: Flask, client: FlaskClient, store: CommentStore,
                                                   auth: dict[str, str]) -> None:
    comment_id = submit(client)
    score_all(app, store)
    response = client.post(f"/api/v1/moderation/comments/{comment_id}/decision",
                           json={"action": "approve", "note": "ok"}, headers=auth)
    assert response.status_code == 200
    assert response.get_json()["status"] == "approved"
    assert response.get_json()["decided_by"] == "alice"
    assert store.counts()["approved"] == 1 and store.counts()["pending"] == 0
    audit = store.audit_entries()
    assert [(e["from"], e["to"]) for e in audit] == [("", "received"), ("received", "pending"),
                                                    ("pending", "approved")]
    assert audit[-1]["actor"] == "alice"
    assert audit[-1]["model_version"] == app.extensions["moderation.model"].version


@pytest.mark.parametrize(("body", "field"), [({"action": "publish"}, "action"), ({}, "action"),
                                             ({"action": "approve", "extra": 1}, "extra")])
def test_invalid_decisions_get_422(client: FlaskClient, auth: dict[str, str], body: dict[str, object],
                                   field: str) -> None:
    comment_id = submit(client)
    response = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json=body, headers=auth)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_unknown_comment_gets_404(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.get("/api/v1/moderation/comments/nope", headers=auth).status_code == 404
    response = client.post("/api/v1/moderation/comments/nope/decision", json={"action": "reject"}, headers=auth)
    assert response.status_code == 404


def _decide_at_once(app: Flask, url: str, headers: dict[str, str], action: str, barrier: threading.Barrier,
                    results: list[int]) -> None:
    client = app.test_client()
    barrier.wait()
    results.append(client.post(url, json={"action": action}, headers=headers).status_code)


def test_two_moderators_deciding_at_once_get_one_success_and_one_conflict(
        app: Flask, store: CommentStore, auth: dict[str, str]) -> None:
    from service.auth import create_token

    bob = {"Authorization": f"Bearer {create_token(store.redis, store.keys, 'bob')}"}
    for _ in range(10):
        comment_id = submit(app.test_client())
        barrier = threading.Barrier(2)
        results: list[int] = []

        url = f"/api/v1/moderation/comments/{comment_id}/decision"
        threads = [threading.Thread(target=_decide_at_once, args=(app, url, who, action, barrier, results))
                   for who, action in ((auth, "approve"), (bob, "reject"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [200, 409]
    decisions = [e for e in store.audit_entries() if e["actor"] in ("alice", "bob")]
    assert len(decisions) == 10


def test_conflict_names_the_current_status(client: FlaskClient, auth: dict[str, str]) -> None:
    comment_id = submit(client)
    url = f"/api/v1/moderation/comments/{comment_id}/decision"
    assert client.post(url, json={"action": "reject"}, headers=auth).status_code == 200
    response = client.post(url, json={"action": "approve"}, headers=auth)
    assert response.status_code == 409
    assert response.get_json()["errors"] == {"status": ["rejected"]}


def test_spam_can_be_rescued_by_naming_the_status_seen(client: FlaskClient, auth: dict[str, str]) -> None:
    comment_id = submit(client)
    url = f"/api/v1/moderation/comments/{comment_id}/decision"
    assert client.post(url, json={"action": "spam"}, headers=auth).status_code == 200
    assert client.post(url, json={"action": "approve"}, headers=auth).status_code == 409  # a second decision
    rescued = client.post(url, json={"action": "approve", "from": "spam"}, headers=auth)
    assert rescued.get_json()["status"] == "approved"
    assert client.post(url, json={"action": "reject", "from": "spam"}, headers=auth).status_code == 409


def test_guessing_tokens_is_rate_limited_per_address(client: FlaskClient, auth: dict[str, str]) -> None:
    wrong = {"Authorization": "Bearer mod_guess"}
    codes = [client.get("/api/v1/moderation/queue", headers=wrong).status_code for _ in range(21)]
    assert codes[:20] == [403] * 20 and codes[20] == 429
    assert client.get("/api/v1/moderation/queue", headers=auth).status_code == 200  # real tokens still work


def test_the_fast_queue_view_matches_the_schema(app: Flask, client: FlaskClient, store: CommentStore) -> None:
    from service.schemas import ModeratorComment, PublicComment, view

    comment_id = submit(client, url="https://site.example", content="Espèce de connard.")
    score_all(app, store)
    comment = store.get(comment_id)
    assert comment is not None
    for schema in (ModeratorComment, PublicComment):
        assert view(schema, comment) == {**dict.fromkeys(schema._declared_fields), **schema().dump(comment)}
