"""Hostile input found by an outside probe: every door refuses it clearly, none answers 500."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from service.auth import create_api_key
from service.keys import Status
from service.store import CommentStore
from tests.conftest import comment_payload, write_waiting

LONE = '"\\ud800"'  # valid JSON, not text: it can be neither stored nor logged


@pytest.fixture
def api_key(store: CommentStore) -> str:
    return create_api_key(store.redis, store.keys, "blog")


def raw_json(client: FlaskClient, path: str, body: str, **headers: str) -> object:
    return client.post(path, data=body.encode(), content_type="application/json", headers=headers)


def test_a_lone_surrogate_in_a_decision_note_is_refused_naming_the_field(
        client: FlaskClient, auth: dict[str, str]) -> None:
    comment_id = client.post("/api/v1/comments", json=comment_payload()).get_json()["id"]
    response = raw_json(client, f"/api/v1/moderation/comments/{comment_id}/decision",
                        '{"action": "approve", "note": ' + LONE + '}', **auth, **{"Accept-Language": "en"})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.get_json()["errors"] == {"note": ["This field holds a lone UTF-16 surrogate, which is not text."]}  # type: ignore[attr-defined]


def test_a_lone_surrogate_in_a_submission_names_the_field_in_french(client: FlaskClient) -> None:
    response = raw_json(client, "/api/v1/comments", '{"post_id": "1", "author": "A", "email": "a@example.fr", '
                        '"content": "Bonjour ' + LONE[1:] + '}')
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "demi-caractère" in response.get_json()["errors"]["content"][0]  # type: ignore[attr-defined]


def test_a_lone_surrogate_in_a_perspective_text_is_refused_in_googles_envelope(client: FlaskClient,
                                                                              api_key: str) -> None:
    response = raw_json(client, f"/v1alpha1/comments:analyze?key={api_key}",
                        '{"comment": {"text": ' + LONE + '}, "requestedAttributes": {"TOXICITY": {}}}')
    assert response.status_code == 400  # type: ignore[attr-defined]
    error = response.get_json()["error"]  # type: ignore[attr-defined]
    assert error["status"] == "INVALID_ARGUMENT" and error["message"].startswith("comment.text:")


def test_an_emoji_written_as_an_escaped_pair_is_text(client: FlaskClient) -> None:
    response = raw_json(client, "/api/v1/comments", '{"post_id": "1", "author": "A", "email": "a@example.fr", '
                        '"content": "Bravo \\ud83d\\udc4f"}')
    assert response.status_code == 202  # type: ignore[attr-defined]


@pytest.mark.parametrize("website", ["javascript:alert(document.cookie)", "data:text/html,<script>x</script>",
                                     "vbscript:msgbox(1)", "http://"])
def test_akismet_comment_check_refuses_what_the_submission_api_refuses(
        client: FlaskClient, store: CommentStore, api_key: str, website: str) -> None:
    response = client.post("/1.1/comment-check", headers={"Accept-Language": "fr"}, data={
        "api_key": api_key, "blog": "https://blog.example", "user_ip": "192.0.2.1", "comment_author": "Léa",
        "comment_author_url": website, "comment_content": "Merci pour l'article."})
    assert response.status_code == 400
    assert response.text.startswith("Invalid field: comment_author_url. Adresse web invalide")
    assert response.headers["X-akismet-debug-help"] == 'Invalid "comment_author_url"'
    assert sum(store.counts().values()) == 0  # nothing stored, so nothing published or sent to webhooks


def test_akismet_comment_check_still_takes_anonymous_comments(client: FlaskClient, store: CommentStore,
                                                               api_key: str) -> None:
    response = client.post("/1.1/comment-check", data={
        "api_key": api_key, "blog": "https://blog.example", "user_ip": "192.0.2.1",
        "comment_author_url": "https://lea.example/blog", "comment_content": "Merci pour l'article."})
    assert response.status_code == 200 and response.text in ("true", "false")
    write_waiting(store)
    [stored], _ = store.page(Status.RECEIVED)
    assert stored["url"] == "https://lea.example/blog" and stored["email"] == ""


@pytest.mark.parametrize("secret", ["é", "jeton-de-métriques", "\u2603"])
def test_non_ascii_secrets_are_refused_not_a_server_error(client: FlaskClient, secret: str) -> None:
    """hmac.compare_digest raises TypeError on non-ASCII strings: every comparison works on bytes."""
    metrics = client.get("/metrics", headers={"Authorization": f"Bearer {secret}".encode().decode("latin-1")})
    assert metrics.status_code in (401, 403)
    form = client.post("/api/v1/comments", json={**comment_payload(), "form_token": f"1.{secret}"})
    assert form.status_code in (202, 403, 422), form.get_json()
    login = client.post("/moderation/login", data={"token": "x", "csrf": secret})
    assert login.status_code == 403
