"""Prometheus metrics across gunicorn workers, request ids and JSON logs, against `moderation serve`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import redis
import requests

from service.auth import create_token
from service.keys import Keys
from tests.conftest import RELAXED_ENV
from tests.servers import RedisServer, ServiceProcess, wait_until

SCRAPER = "scrape-secret-for-prometheus"
FAMILIES = ("moderation_http_request_duration_seconds", "moderation_submissions_total",
            "moderation_comments_filed_total", "moderation_decisions_total", "moderation_classifier_seconds",
            "moderation_model_info", "moderation_queue_depth", "moderation_oldest_pending_age_seconds")


@pytest.fixture(scope="module")
def service(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    prefix = f"obs{uuid.uuid4().hex[:8]}"
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_METRICS_TOKEN": SCRAPER,
           **RELAXED_ENV}
    proc = ServiceProcess(tmp_path_factory.mktemp("obs"), env, web_workers=2).start()
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    proc.token = create_token(client, Keys(prefix), "obs")  # type: ignore[attr-defined]
    client.close()
    yield proc
    proc.stop()


def samples(text: str, name: str) -> dict[str, float]:
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line.startswith(name) and not line.startswith("#")}


def test_metrics_cover_every_family_and_add_up_across_workers(service: ServiceProcess) -> None:
    headers = {"Authorization": f"Bearer {service.token}"}  # type: ignore[attr-defined]
    session = requests.Session()
    ids = []
    for i in range(20):  # a new connection each time spreads requests over both workers
        r = requests.post(f"{service.base}/api/v1/comments", timeout=5, json={
            "post_id": "m", "author": "A", "email": f"{i}@example.fr", "content": f"Avis {i}"})
        ids.append(r.json()["id"])
    requests.post(f"{service.base}/api/v1/comments", json={"post_id": "m"}, timeout=5)  # one invalid
    wait_until(lambda: session.get(f"{service.base}/api/v1/moderation/comments/{ids[-1]}", headers=headers,
                                   timeout=5).json()["status"] != "received", 20, what="scoring")
    session.post(f"{service.base}/api/v1/moderation/comments/{ids[0]}/decision", headers=headers,
                 json={"action": "approve"}, timeout=5)
    text = session.get(f"{service.base}/metrics", headers={"Authorization": f"Bearer {SCRAPER}"}, timeout=5).text
    for family in FAMILIES:
        assert f"\n{family}" in text or text.startswith(family) or f"# HELP {family}" in text, family
    submissions = samples(text, "moderation_submissions_total")
    assert submissions['moderation_submissions_total{result="received"}'] == 20  # summed over both workers
    assert submissions['moderation_submissions_total{result="invalid"}'] == 1
    assert samples(text, "moderation_decisions_total")['moderation_decisions_total{action="approve"}'] == 1
    assert "moderator=" not in text  # no moderator is named: the metrics are not a ranking of people
    assert samples(text, "moderation_queue_depth")['moderation_queue_depth{status="approved"}'] == 1
    assert "@example.fr" not in text and "127.0.0.1" not in text


@pytest.mark.parametrize(("authorization", "status"), [(None, 401), ("Bearer wrong", 403), ("Basic b2JzOm9icw==", 401)])
def test_metrics_need_the_scraper_or_a_moderator_token(service: ServiceProcess, authorization: str | None,
                                                       status: int) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    assert requests.get(f"{service.base}/metrics", headers=headers, timeout=5).status_code == status
    moderator = {"Authorization": f"Bearer {service.token}"}  # type: ignore[attr-defined]
    assert requests.get(f"{service.base}/metrics", headers=moderator, timeout=5).status_code == 200


def test_request_ids_are_honoured_or_generated_and_logged(service: ServiceProcess) -> None:
    given = requests.get(f"{service.base}/healthz", headers={"X-Request-ID": "trace-42"}, timeout=5)
    assert given.headers["X-Request-ID"] == "trace-42"
    made = requests.get(f"{service.base}/healthz", timeout=5).headers["X-Request-ID"]
    assert len(made) == 32
    lines = [json.loads(line) for line in service.log().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "service.access"]
    assert any(line["request_id"] == "trace-42" and line["path"] == "/healthz" for line in access)
    assert all({"time", "level", "message"} <= set(line) for line in lines)
