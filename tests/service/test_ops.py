"""Liveness, readiness, the OpenAPI document, and behaviour while Redis is down."""

from __future__ import annotations

import time
from pathlib import Path

from flask.testing import FlaskClient

from service import create_app
from tests.conftest import RELAXED, comment_payload, write_waiting
from tests.servers import RedisServer


def test_healthz_and_readyz(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["redis"] == "ok"


def test_openapi_document_is_generated_from_the_schemas(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    submission = doc["components"]["schemas"]["Submission"]
    assert set(submission["required"]) == {"post_id", "author", "email", "content"}
    assert submission["properties"]["author"]["maxLength"] == 245
    assert "/api/v1/moderation/comments/{comment_id}/decision" in doc["paths"]


def test_unknown_route_gets_the_error_shape(client: FlaskClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert set(response.get_json()) == {"code", "message", "errors"}


def test_redis_outage_gives_503_then_recovers_with_nothing_lost_or_duplicated(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis").start()
    app = create_app({"REDIS_URL": server.url, "REDIS_PREFIX": "outage", "REDIS_TIMEOUT": 0.5,
                      "DATA_DIR": str(tmp_path / "var"), **RELAXED})
    client = app.test_client()
    store = app.extensions["moderation.store"]
    try:
        before = [client.post("/api/v1/comments", json=comment_payload(content=f"avant {i}")) for i in range(5)]
        assert [r.status_code for r in before] == [202] * 5
        server.stop()

        started = time.monotonic()
        down = client.post("/api/v1/comments", json=comment_payload(content="pendant la panne"))
        assert down.status_code == 503
        assert time.monotonic() - started < 5  # bounded, never hangs
        assert down.headers["Retry-After"]
        assert down.get_json()["code"] == "unavailable"
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200

        server.start()  # same port, same append-only file
        after = client.post("/api/v1/comments", json=comment_payload(content="après"))
        assert after.status_code == 202
        assert client.get("/readyz").status_code == 200
        acknowledged = {r.get_json()["id"] for r in [*before, after]}
        assert store.redis.xlen(store.keys.incoming()) == 6
        assert set(write_waiting(store)) == acknowledged
        assert "pendant la panne" not in str(store.redis.xrange(store.keys.incoming()))
    finally:
        store.redis.close()
        server.stop()
