"""Faults under load: Redis killed, gunicorn workers killed, retries, races. Nothing acknowledged is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests

from service import create_app
from service.auth import create_token
from service.keys import Keys
from service.store import CommentStore
from tests.conftest import RELAXED, RELAXED_ENV, comment_payload
from tests.servers import RedisServer, ServiceProcess, wait_until


@pytest.fixture(scope="module")
def service(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    prefix = f"rel{uuid.uuid4().hex[:8]}"
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, **RELAXED_ENV}
    proc = ServiceProcess(tmp_path_factory.mktemp("rel"), env, web_workers=2, scoring_workers=1).start()
    proc.redis = redis.Redis.from_url(redis_server.url, decode_responses=True)  # type: ignore[attr-defined]
    proc.keys = Keys(prefix)  # type: ignore[attr-defined]
    yield proc
    proc.redis.close()  # type: ignore[attr-defined]
    proc.stop()


def post(base: str, headers: dict[str, str] | None = None, **fields: object) -> requests.Response:
    return requests.post(f"{base}/api/v1/comments", json=comment_payload(**fields), headers=headers, timeout=10)


def test_redis_killed_after_a_burst_keeps_every_acknowledged_comment_once(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis", fsync="everysec").start()  # the embedded Redis's setting
    app = create_app({"REDIS_URL": server.url, "REDIS_PREFIX": "burst", "DATA_DIR": str(tmp_path), **RELAXED})
    store = app.extensions["moderation.store"]

    def submit(i: int) -> str:
        response = app.test_client().post("/api/v1/comments", json=comment_payload(content=f"Rafale {i}"))
        assert response.status_code == 202, response.get_json()
        return str(response.get_json()["id"])

    try:
        with ThreadPoolExecutor(8) as pool:
            acknowledged = {i for i in pool.map(submit, range(300)) if i}
        assert len(acknowledged) == 300
        server.stop(kill=True)  # SIGKILL: no shutdown, no final fsync
        server.start()
        entries = [comment_id for comment_id, _ in store.unfiled(0)]
        assert sorted(entries) == sorted(acknowledged)  # each once in the scoring stream
        assert all(store.get_each(entries))
    finally:
        store.redis.close()
        server.stop()


def _gunicorn_workers(service: ServiceProcess) -> list[int]:
    master = subprocess.run(["pgrep", "-f", "gunicorn", "-P", str(service.proc.pid)],  # type: ignore[union-attr]
                            capture_output=True, text=True, check=False).stdout.split()
    assert master, "no gunicorn master"
    out = subprocess.run(["pgrep", "-P", master[0]], capture_output=True, text=True, check=False).stdout
    return sorted(int(p) for p in out.split())


def test_a_gunicorn_worker_killed_mid_load_loses_nothing_and_is_replaced(service: ServiceProcess) -> None:
    # The service answers as soon as one worker is up; gunicorn may still be forking the other.
    before = wait_until(lambda: (w := _gunicorn_workers(service)) and len(w) == 2 and w, 15, what="2 web workers")
    acknowledged: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def load() -> None:
        session = requests.Session()
        while not stop.is_set():
            try:
                r = session.post(f"{service.base}/api/v1/comments", timeout=10,
                                 json=comment_payload(post_id="load", content=f"Charge {uuid.uuid4().hex}"))
                if r.status_code == 202:
                    acknowledged.append(r.json()["id"])
                else:
                    failures.append(str(r.status_code))
            except requests.RequestException as exc:
                failures.append(type(exc).__name__)  # a request cut by the kill was never acknowledged

    threads = [threading.Thread(target=load) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    os.kill(before[0], signal.SIGKILL)
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join()
    assert len(acknowledged) > 50
    assert all(service_store(service).get_each(acknowledged))  # written by a worker, or waiting in its stream
    assert all(f in ("ConnectionError", "ChunkedEncodingError", "ReadTimeout", "503") for f in failures), failures
    after = wait_until(lambda: (w := _gunicorn_workers(service)) and len(w) == 2 and w, 15, what="a new worker")
    assert before[0] not in after


def service_store(service: ServiceProcess) -> CommentStore:
    return CommentStore(service.redis, service.keys)  # type: ignore[attr-defined]


def stored_on(service: ServiceProcess, post: str) -> set[str]:
    """Every comment stored for ``post``: waiting in the scoring stream, or written by a worker. The stream is read
    first: a comment a worker writes meanwhile is then in an index (both indexes in one MULTI)."""
    store = service_store(service)
    waiting = {i for i, fields in store.unfiled(0) if fields["post_id"] == post}
    snapshot = store.redis.pipeline(transaction=True)
    for status in ("received", "pending"):
        snapshot.zrange(store.keys.post_by_time(post, status), 0, -1)
    return waiting | {i for ids in snapshot.execute() for i in ids}


def test_idempotency_key_replays_the_first_answer_and_stores_once(service: ServiceProcess) -> None:
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first = post(service.base, key, post_id="idem", content="Une seule fois")
    again = post(service.base, key, post_id="idem", content="Une seule fois")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    reused = post(service.base, key, post_id="idem", content="Autre chose")
    assert reused.status_code == 422 and "Idempotency-Key" in reused.json()["errors"]
    assert stored_on(service, "idem") == {first.json()["id"]}


def test_concurrent_retries_with_one_key_store_one_comment(service: ServiceProcess) -> None:
    for attempt in range(5):
        key = {"Idempotency-Key": f"race-{uuid.uuid4()}"}
        barrier = threading.Barrier(4)

        def race(key: dict[str, str] = key, barrier: threading.Barrier = barrier,
                 attempt: int = attempt) -> requests.Response:
            barrier.wait()
            return post(service.base, key, post_id=f"race{attempt}", content="Course")

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: race(), range(4)))
        assert {a.status_code for a in answers} == {202}
        assert len({a.json()["id"] for a in answers}) == 1
        assert len(stored_on(service, f"race{attempt}")) == 1


def test_fifty_concurrent_decisions_on_ten_comments_have_one_winner_each(service: ServiceProcess) -> None:
    moderators = {name: create_token(service.redis, service.keys, name) for name in "abcde"}  # type: ignore[attr-defined]
    ids = [post(service.base, post_id="decide", content=f"Avis {i}").json()["id"] for i in range(10)]
    jobs = [(comment_id, name, action) for comment_id in ids
            for name, action in zip(moderators, ("approve", "reject", "spam", "approve", "reject"), strict=True)]
    barrier = threading.Barrier(len(jobs))

    def decide(job: tuple[str, str, str]) -> tuple[str, int]:
        comment_id, name, action = job
        barrier.wait()
        r = requests.post(f"{service.base}/api/v1/moderation/comments/{comment_id}/decision", timeout=20,
                          headers={"Authorization": f"Bearer {moderators[name]}"}, json={"action": action})
        return comment_id, r.status_code

    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(decide, jobs))
    for comment_id in ids:
        codes = sorted(code for cid, code in results if cid == comment_id)
        assert codes == [200, 409, 409, 409, 409], (comment_id, codes)
    audit = [e for _, e in service.redis.xrange(service.keys.audit())  # type: ignore[attr-defined]
             if e["comment_id"] in ids and e["actor"] in moderators]
    assert sorted(e["comment_id"] for e in audit) == sorted(ids)


def test_debug_mode_is_not_reachable(monkeypatch: pytest.MonkeyPatch, settings: dict[str, object]) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("FLASK_ENV", "development")
    app = create_app(settings)
    assert app.debug is False
    response = app.test_client().get("/console")
    assert response.status_code == 404 and response.is_json
