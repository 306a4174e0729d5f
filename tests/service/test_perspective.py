"""Perspective's ``doNotStore``: a site that opts in gets analysed comments in its review queue."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.auth import create_api_key
from service.keys import Status
from service.store import CommentStore
from tests.conftest import write_waiting


@pytest.fixture
def opted_in(settings: dict[str, object]) -> tuple[FlaskClient, CommentStore, str]:
    app = create_app({**settings, "TESTING": True, "PERSPECTIVE_STORE": True})
    store: CommentStore = app.extensions["moderation.store"]
    return app.test_client(), store, create_api_key(store.redis, store.keys, "coral")


def analyze(client: FlaskClient, key: str, do_not_store: bool) -> None:
    body = {"comment": {"text": "Un commentaire à relire, merci."}, "requestedAttributes": {"TOXICITY": {}},
            "languages": ["fr"], "doNotStore": do_not_store, "communityId": "Coral:https://journal.example"}
    assert client.post(f"/v1alpha1/comments:analyze?key={key}", json=body).status_code == 200


def test_do_not_store_false_queues_the_comment_for_review(opted_in: tuple[FlaskClient, CommentStore, str]) -> None:
    client, store, key = opted_in
    analyze(client, key, do_not_store=False)
    write_waiting(store)
    queued, _ = store.page(Status.RECEIVED)
    assert [c["content"] for c in queued] == ["Un commentaire à relire, merci."]
    assert queued[0]["post_id"] == "Coral:https://journal.example"


def test_do_not_store_true_stores_nothing_even_when_opted_in(opted_in: tuple[FlaskClient, CommentStore, str]) -> None:
    client, store, key = opted_in
    analyze(client, key, do_not_store=True)
    assert store.counts()[Status.RECEIVED.value] == 0


def test_redis_down_is_a_503_in_googles_envelope(settings: dict[str, object]) -> None:
    from tests.servers import free_port

    app = create_app({**settings, "TESTING": True, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
                      "REDIS_TIMEOUT": 0.2})
    answer = app.test_client().post("/v1alpha1/comments:analyze?key=k", json={
        "comment": {"text": "Bonjour"}, "requestedAttributes": {"TOXICITY": {}}})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.get_json()["error"]["status"] == "UNAVAILABLE" and answer.get_json()["error"]["code"] == 503
    app.extensions["moderation.store"].redis.close()
