"""POST /api/v1/comments: what the blog frontend sends and what it gets back."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from service.store import CommentStore
from tests.conftest import comment_payload


def test_json_submission_is_stored_as_received_and_enqueued(client: FlaskClient, store: CommentStore) -> None:
    response = client.post("/api/v1/comments", json=comment_payload(url="https://camille.example"),
                           headers={"User-Agent": "BlogFront/1", "Referer": "https://blog.example/p/42",
                                    "Accept-Language": "fr-FR"})
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "received"
    assert body["message"] == "Votre commentaire est en attente de modération."
    assert set(body) == {"id", "status", "message"}  # no scores or reasons for the commenter
    stored = store.get(body["id"])
    assert stored is not None
    assert stored["status"] == "received"
    assert stored["email"] == "camille@example.fr"
    assert stored["user_agent"] == "BlogFront/1"
    assert stored["referrer"] == "https://blog.example/p/42"
    assert stored["accept_language"] == "fr-FR"
    assert stored["ip"] == "127.0.0.1"
    assert store.redis.xlen(store.keys.incoming()) == 1


def test_leading_spaces_are_not_blank(client: FlaskClient) -> None:
    assert client.post("/api/v1/comments", json=comment_payload(content="  Bonjour")).status_code == 202


def test_wordpress_form_is_accepted_and_extra_fields_ignored(client: FlaskClient, store: CommentStore) -> None:
    form = {"comment_post_ID": "7", "author": "Zoé", "email": "zoe@example.fr", "url": "",
            "comment": "Très bon article !", "comment_parent": "0", "submit": "Laisser un commentaire",
            "_wp_unfiltered_html_comment": "x"}
    response = client.post("/api/v1/comments", data=form)
    assert response.status_code == 202
    stored = store.get(response.get_json()["id"])
    assert stored is not None
    assert (stored["post_id"], stored["author"], stored["content"]) == ("7", "Zoé", "Très bon article !")
    assert stored["url"] is None and stored["parent_id"] is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Adresse e-mail invalide."),
        ({"email": ""}, "email", "Ce champ est obligatoire."),  # left empty on the form: required, not invalid
        ({"email": "   "}, "email", "Ce champ est obligatoire."),
        ({"author": "   "}, "author", "Ce champ ne peut pas être vide."),
        ({"content": " \n\t "}, "content", "Ce champ ne peut pas être vide."),
        ({"content": ""}, "content", "Ce champ ne peut pas être vide."),
        ({"author": "a" * 246}, "author", "Ce champ ne doit pas dépasser 245 caractères."),
        ({"email": "a" * 96 + "@x.fr"}, "email", "Ce champ ne doit pas dépasser 100 caractères."),
        ({"url": "javascript:alert(1)"}, "url", "Adresse web invalide (http ou https uniquement)."),
        ({"url": "https://e.fr/" + "a" * 200}, "url", "Ce champ ne doit pas dépasser 200 caractères."),
        ({"content": 12}, "content", "Ce champ doit être du texte."),
        ({"author": "Eve\x00"}, "author", "Ce champ contient des caractères non autorisés."),
        ({"is_admin": True}, "is_admin", "Champ inconnu."),
        ({"parent_id": "does-not-exist"}, "parent_id",
         "Le commentaire parent n’existe pas ou n’est pas publié sur cet article."),
    ],
)
def test_invalid_fields_get_422_naming_the_field(client: FlaskClient, store: CommentStore,
                                                 overrides: dict[str, object], field: str, message: str) -> None:
    response = client.post("/api/v1/comments", json=comment_payload(**overrides))
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_error"
    assert body["errors"][field] == [message]
    assert store.redis.exists(store.keys.incoming()) == 0  # nothing written


@pytest.mark.parametrize("missing", ["post_id", "author", "email", "content"])
def test_required_fields(client: FlaskClient, missing: str) -> None:
    payload = comment_payload()
    del payload[missing]
    response = client.post("/api/v1/comments", json=payload)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {missing: ["Ce champ est obligatoire."]}


def test_messages_follow_accept_language(client: FlaskClient) -> None:
    response = client.post("/api/v1/comments", json=comment_payload(email="nope"),
                           headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.get_json()["errors"] == {"email": ["Not a valid email address."]}
    assert response.get_json()["message"] == "Some fields are invalid."


def test_french_is_the_default_language(client: FlaskClient) -> None:
    response = client.post("/api/v1/comments", json=comment_payload(email="nope"),
                           headers={"Accept-Language": "de-DE"})
    assert response.get_json()["errors"] == {"email": ["Adresse e-mail invalide."]}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"post_id": "1", ', "application/json", 400, "bad_request"),
        (b"[1, 2]", "application/json", 422, "validation_error"),
        (b"post_id=1", "text/plain", 415, "unsupported_media_type"),
        (b"<xml/>", "application/xml", 415, "unsupported_media_type"),
    ],
)
def test_bad_bodies_get_one_error_shape(client: FlaskClient, body: bytes, content_type: str, status: int,
                                        code: str) -> None:
    response = client.post("/api/v1/comments", data=body, content_type=content_type)
    assert response.status_code == status
    payload = response.get_json()
    assert set(payload) == {"code", "message", "errors"}
    assert payload["code"] == code


def test_body_over_the_limit_gets_413(client: FlaskClient, store: CommentStore) -> None:
    response = client.post("/api/v1/comments", json=comment_payload(content="a" * 70_000))
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"
    assert store.redis.exists(store.keys.incoming()) == 0


def test_content_limit_applies_when_the_body_limit_allows_it(settings: dict[str, object]) -> None:
    from service import create_app

    app = create_app({**settings, "MAX_BODY_BYTES": 256 * 1024})
    client = app.test_client()
    too_long = client.post("/api/v1/comments", json=comment_payload(content="é" * 65_526))
    assert too_long.status_code == 422
    assert too_long.get_json()["errors"] == {"content": ["Ce champ ne doit pas dépasser 65525 caractères."]}
    assert client.post("/api/v1/comments", json=comment_payload(content="é" * 65_525)).status_code == 202
    app.extensions["moderation.store"].redis.close()


def test_reply_to_an_approved_comment_of_the_same_post(client: FlaskClient, store: CommentStore,
                                                       auth: dict[str, str]) -> None:
    parent = client.post("/api/v1/comments", json=comment_payload()).get_json()["id"]
    # Not yet approved: not a valid parent.
    assert client.post("/api/v1/comments", json=comment_payload(parent_id=parent)).status_code == 422
    client.post(f"/api/v1/moderation/comments/{parent}/decision", json={"action": "approve"}, headers=auth)
    reply = client.post("/api/v1/comments", json=comment_payload(parent_id=parent))
    assert reply.status_code == 202
    other_post = client.post("/api/v1/comments", json=comment_payload(post_id="43", parent_id=parent))
    assert other_post.status_code == 422


def test_errors_never_echo_the_email(client: FlaskClient) -> None:
    response = client.post("/api/v1/comments", json=comment_payload(email="secret.person@@example.fr"))
    assert response.status_code == 422
    assert "secret.person" not in response.get_data(as_text=True)


def test_an_accepted_comment_costs_one_redis_round_trip(client: FlaskClient, store: CommentStore) -> None:
    from tests.roundtrips import counting

    counter = counting(store.redis)
    # Warm-up: the connection's handshake and the script's first load happen once per process.
    assert client.post("/api/v1/comments", json=comment_payload(content="Premier")).status_code == 202
    before = counter.sent
    long_text = "Un commentaire assez long pour passer par la détection de vagues de spam, avec un lien."
    assert client.post("/api/v1/comments", json=comment_payload(content=long_text)).status_code == 202
    assert counter.sent - before == 1
