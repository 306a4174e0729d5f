"""A running `moderation serve` (2 gunicorn workers and a scoring worker) learns from its moderators: a
retrained model promoted through the gate is in force in every process within seconds, with no failed
request during the switch, and a rollback restores the previous version everywhere."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
from click.testing import CliRunner

from service.auth import create_token
from service.cli import main
from service.keys import Keys
from service.store import CommentStore
from tests.conftest import RELAXED_ENV
from tests.servers import RedisServer, ServiceProcess, wait_until
from tests.service.test_learning import NEW_SCAM, stream


@pytest.fixture(scope="module")
def service(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    prefix = f"hot{uuid.uuid4().hex[:8]}"
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_MODEL_POLL_SECONDS": "1",
           **RELAXED_ENV}
    proc = ServiceProcess(tmp_path_factory.mktemp("hot"), env, web_workers=2, scoring_workers=1).start()
    proc.env_for_cli = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix}  # type: ignore[attr-defined]
    yield proc
    assert proc.stop() == 0


def versions_answering(service: ServiceProcess, n: int = 16) -> set[str]:
    """The model versions /readyz names across ``n`` requests (spread over both gunicorn workers)."""
    return {requests.get(f"{service.base}/readyz", timeout=5).json()["checks"]["model"] for _ in range(n)}


def submit(service: ServiceProcess, content: str) -> str:
    answer = requests.post(f"{service.base}/api/v1/comments", timeout=10, json={
        "post_id": "hot", "author": "Lecteur", "email": f"{uuid.uuid4().hex[:8]}@example.fr", "content": content})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def test_a_promoted_model_is_in_force_everywhere_within_seconds_without_a_failed_request(
        service: ServiceProcess, redis_server: RedisServer, tmp_path: Path) -> None:
    env = service.env_for_cli  # type: ignore[attr-defined]
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    store = CommentStore(client, Keys(env["MODERATION_REDIS_PREFIX"]))
    token = create_token(client, store.keys, "alice")
    shipped = versions_answering(service)
    assert len(shipped) == 1
    before = submit(service, NEW_SCAM + " (avant)")
    auth = {"Authorization": f"Bearer {token}"}

    def scored(comment_id: str) -> dict[str, object] | None:
        found = requests.get(f"{service.base}/api/v1/moderation/comments/{comment_id}", headers=auth, timeout=5)
        body = found.json()
        return body if body["status"] != "received" else None
    old = wait_until(lambda: scored(before), 20, 0.2, what="the comment sent before")
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in stream(150)) + "\n")
    assert CliRunner().invoke(main, ["labels", "import", str(path)], env=env).exit_code == 0

    failures: list[str] = []
    stop = threading.Event()

    def load() -> None:  # a bounded request loop across the switch, paced: a backlog would only delay scoring
        for i in range(2000):
            if stop.wait(0.02):
                return
            for answer in (requests.get(f"{service.base}/readyz", timeout=10),
                           requests.post(f"{service.base}/api/v1/comments", timeout=10, json={
                               "post_id": "load", "author": "Charge", "email": f"l{i}@example.fr",
                               "content": f"Commentaire de charge numéro {i}."})):
                if answer.status_code >= 400:
                    failures.append(f"{answer.request.method} {answer.url}: {answer.status_code}")

    loader = threading.Thread(target=load)
    loader.start()
    try:
        retrained = CliRunner().invoke(main, ["model", "retrain"], env=env)
        assert retrained.exit_code == 0, retrained.output
        version = retrained.output.strip().splitlines()[-1].removeprefix("promoted ")
        wait_until(lambda: versions_answering(service) == {version}, 20, 0.2, what="every web worker on the new model")

        def scored_by(expected: str, label: str) -> dict[str, object] | None:
            """A new comment scored by the version ``expected`` (the scoring worker polls too: a comment sent in
            the second before it switched is scored by the old one, and says so)."""
            comment_id = submit(service, f"{NEW_SCAM} ({label})")  # once: then wait for that one to be scored
            found = wait_until(lambda: scored(comment_id), 20, 0.2, what="scoring")
            return found if found["model_version"] == expected else None  # type: ignore[index]
        new = wait_until(lambda: scored_by(version, "après"), 20, 0.5, what="the scoring worker on the new model")
        assert new["scores"]["spam"] > 0.5  # type: ignore[index]
        assert old["model_version"] == next(iter(shipped)) and old["scores"]["spam"] < 0.2  # type: ignore[index]
        metrics = requests.get(f"{service.base}/metrics", headers=auth, timeout=5).text
        assert f'moderation_model_info{{version="{version}"}} 1.0' in metrics
    finally:
        stop.set()
        loader.join()
    assert failures == []

    rolled = CliRunner().invoke(main, ["model", "rollback"], env=env)
    assert rolled.exit_code == 0, rolled.output
    wait_until(lambda: versions_answering(service) == shipped, 20, 0.2, what="every web worker back on the shipped one")
    back = wait_until(lambda: scored_by(next(iter(shipped)), "retour"), 20, 0.5, what="the worker back on shipped")
    assert back["scores"]["spam"] < 0.2  # type: ignore[index]
    client.close()
