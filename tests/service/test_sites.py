"""A site's plugin: a scoped credential, idempotent submission by external id, decisions both ways, catch-up."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from service.auth import create_site, create_token
from service.cli import main
from service.store import CommentStore
from service.webhooks import Deliverer, WebhookSettings
from service.worker import WorkerSettings
from tests.conftest import comment_payload, scoring_worker
from tests.servers import RedisServer


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def blog(store: CommentStore) -> dict[str, str]:
    return bearer(create_site(store.redis, store.keys, "blog-fr"))


def wp_comment(external_id: str, **overrides: object) -> dict[str, object]:
    """What the WordPress plugin sends for one comment of the blog."""
    return comment_payload(**{"external_id": external_id, "ip": "203.0.113.9", "user_agent": "Firefox/140",
                              "post_title": "Le budget voté", "post_url": "https://blog.example.fr/budget/",
                              **overrides})


def send(client: FlaskClient, headers: dict[str, str], external_id: str, **overrides: object) -> tuple[int, str]:
    response = client.post("/api/v1/site/comments", json=wp_comment(external_id, **overrides), headers=headers)
    assert response.status_code in (200, 202), response.get_json()
    return response.status_code, str(response.get_json()["id"])


def score_all(app: Flask) -> int:
    worker = scoring_worker(app, WorkerSettings(block_ms=10), "test")
    worker.ensure_group()
    return worker.step()


def test_a_site_credential_names_its_site_and_opens_nothing_else(client: FlaskClient, blog: dict[str, str],
                                                                  auth: dict[str, str]) -> None:
    assert client.get("/api/v1/site", headers=blog).get_json() == {"site": "blog-fr"}
    assert client.get("/api/v1/moderation/queue", headers=blog).status_code == 403
    assert client.get("/api/v1/site", headers=auth).status_code == 403  # a moderator token is not a site's
    assert client.get("/api/v1/site").status_code == 401


def test_a_retried_blog_comment_is_stored_once(client: FlaskClient, blog: dict[str, str], store: CommentStore,
                                               app: Flask) -> None:
    first = send(client, blog, "101")
    again = send(client, blog, "101")
    assert first[0] == 202 and again == (200, first[1])
    score_all(app)
    comment = store.get(first[1])
    assert comment is not None
    assert (comment["site"], comment["external_id"], comment["source"]) == ("blog-fr", "101", "site")
    assert comment["ip"].startswith("203.0.113.") and comment["post_title"] == "Le budget voté"  # the address as stored
    assert store.counts()["pending"] == 1


def test_the_blog_already_accepted_its_comments_so_no_flood_or_duplicate_refusal(
        client: FlaskClient, blog: dict[str, str]) -> None:
    ids = {send(client, blog, str(n))[1] for n in range(3)}  # same author, same address, same text, same second
    assert len(ids) == 3


def test_bad_site_fields_are_named_in_the_commenters_language(client: FlaskClient, blog: dict[str, str]) -> None:
    response = client.post("/api/v1/site/comments", json=wp_comment("7", ip="not-an-ip"),
                           headers={**blog, "Accept-Language": "fr"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"ip": ["Adresse IP invalide."]}
    missing = client.post("/api/v1/site/comments", json=comment_payload(), headers={**blog, "Accept-Language": "en"})
    assert missing.get_json()["errors"] == {"external_id": ["This field is required."]}


def test_a_reply_to_a_parent_we_do_not_hold_is_kept_as_a_comment(client: FlaskClient, blog: dict[str, str],
                                                                  store: CommentStore, app: Flask) -> None:
    _, comment_id = send(client, blog, "12", parent_id="0123456789abcdef0123456789abcdef")
    score_all(app)
    comment = store.get(comment_id)
    assert comment is not None and comment["status"] == "pending" and not comment.get("parent_id")


def test_a_decision_in_the_blogs_admin_wins_once_and_becomes_a_label(client: FlaskClient, blog: dict[str, str],
                                                                      store: CommentStore, app: Flask) -> None:
    _, comment_id = send(client, blog, "55")
    score_all(app)
    url = f"/api/v1/site/comments/{comment_id}/decision"
    first = client.post(url, json={"action": "spam", "by": "admin"}, headers=blog).get_json()
    assert first == {"id": comment_id, "external_id": "55", "status": "spam", "changed": True}
    assert client.post(url, json={"action": "spam"}, headers=blog).get_json()["changed"] is False
    comment = store.get(comment_id)
    assert comment is not None and (comment["status"], comment["decided_by"]) == ("spam", "blog-fr/admin")
    labels = list(store.labels.export())
    assert [(f["spam"], f["source"], f["comment_id"], f["by"]) for f in labels] == [
        (1, "site", comment_id, "site:blog-fr/admin")]
    # ...and the blog may change its mind: approved after all.
    assert client.post(url, json={"action": "approve"}, headers=blog).get_json()["status"] == "approved"


def test_a_site_reaches_only_its_own_comments(client: FlaskClient, blog: dict[str, str], store: CommentStore) -> None:
    _, comment_id = send(client, blog, "9")
    other = bearer(create_site(store.redis, store.keys, "other-blog"))
    response = client.post(f"/api/v1/site/comments/{comment_id}/decision", json={"action": "approve"}, headers=other)
    assert response.status_code == 404
    assert client.get("/api/v1/site/decisions", headers=other).get_json()["items"] == []


def test_decisions_since_a_cursor_page_through_ours_and_the_policys(
        client: FlaskClient, blog: dict[str, str], auth: dict[str, str], store: CommentStore, app: Flask) -> None:
    ham = [send(client, blog, str(n), content=f"Merci pour l'article numéro {n}.")[1] for n in range(3)]
    blocked = client.post("/api/v1/moderation/authors", json={"email": "scam@example.com", "mode": "block"},
                          headers=auth)
    assert blocked.status_code == 201
    scam = send(client, blog, "99", email="scam@example.com", content="Prêt rapide, écrivez-moi.")[1]
    client.post("/api/v1/comments", json=comment_payload(content="Pas un commentaire du blog."))
    score_all(app)
    for comment_id in ham:
        decided = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "approve"},
                              headers=auth)
        assert decided.status_code == 200
    seen, cursor = [], ""
    while True:
        page = client.get("/api/v1/site/decisions", query_string={"since": cursor, "limit": 2}, headers=blog).get_json()
        if not page["items"]:
            break
        seen += page["items"]
        cursor = page["next_cursor"]
    assert [(i["id"], i["external_id"], i["status"]) for i in seen] == [  # the policy's filing first: it came first
        (scam, "99", "spam"), *((ham[n], str(n), "approved") for n in range(3))]
    assert client.get("/api/v1/site/decisions", query_string={"since": "x"}, headers=blog).status_code == 422


def test_a_webhook_names_the_site_and_external_id_and_never_the_email_or_address(
        client: FlaskClient, blog: dict[str, str], auth: dict[str, str], store: CommentStore, app: Flask) -> None:
    _, comment_id = send(client, blog, "77")
    score_all(app)
    client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "approve"}, headers=auth)
    deliverer = Deliverer(store, WebhookSettings(), "t")
    events = [fields for _, fields in store.redis.xrange(store.keys.events())]
    approved = next(e for e in events if e["type"] == "comment.approved")
    payload = deliverer.payload({**approved, "event_id": "1"})
    assert payload["comment"]["site"] == "blog-fr" and payload["comment"]["external_id"] == "77"
    text = str(payload)
    assert "camille@example.fr" not in text and "203.0.113.9" not in text


def test_site_create_prints_the_credential_alone_and_refuses_a_bad_name(redis_server: RedisServer,
                                                                        prefix: str) -> None:
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix}
    created = CliRunner().invoke(main, ["site", "create", "blog-fr"], env=env)
    assert created.exit_code == 0, created.output
    assert created.output.strip().splitlines()[-1].startswith("site_")
    assert "blog-fr" in CliRunner().invoke(main, ["site", "list"], env=env).output
    assert "revoked 1" in CliRunner().invoke(main, ["site", "revoke", "blog-fr"], env=env).output
    refused = CliRunner().invoke(main, ["site", "create", "Mon Blog"], env=env)
    assert refused.exit_code != 0 and "lowercase" in refused.output


def test_a_moderator_token_cannot_be_used_as_a_site(client: FlaskClient, store: CommentStore) -> None:
    token = create_token(store.redis, store.keys, "alice")
    response = client.post("/api/v1/site/comments", json=wp_comment("1"), headers=bearer(token))
    assert response.status_code == 403
