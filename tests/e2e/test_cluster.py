"""Redis Cluster: three masters on loopback, the whole flow through a redis+cluster:// URL.

One blog's comments spread over every master (16 shards by default), and a submission whose
post lives on a node that is down is refused with 503 having stored nothing.
"""

from __future__ import annotations

import gc
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.auth import create_token
from service.embedded import redis_binary
from service.worker import WorkerSettings
from tests.conftest import RELAXED, comment_payload, scoring_worker
from tests.servers import RedisServer, free_port, wait_until


def _redis_cli() -> str:
    found = shutil.which("redis-cli") or str(Path(redis_binary()).with_name("redis-cli"))
    if not Path(found).exists():
        pytest.skip("redis-cli is not installed (apt-get install redis-tools)")
    return found


@dataclass
class Cluster:
    nodes: list[RedisServer]

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def node(self, port: int) -> RedisServer:
        return next(n for n in self.nodes if n.port == port)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    base = tmp_path_factory.mktemp("cluster")
    nodes = [RedisServer(base / f"n{i}", port=_cluster_port(), extra=[
        "--cluster-enabled", "yes", "--cluster-config-file", str(base / f"n{i}" / "nodes.conf")]).start()
        for i in range(3)]
    try:
        created = subprocess.run([_redis_cli(), "--cluster", "create", *(f"127.0.0.1:{n.port}" for n in nodes),
                                  "--cluster-yes"], capture_output=True, text=True, timeout=60, check=False)
        assert created.returncode == 0, created.stdout + created.stderr
        for node in nodes:  # every node must agree before clients arrive
            _wait_ok(node.port)
        yield Cluster(nodes)
    finally:
        for node in nodes:
            node.stop()


@pytest.fixture
def make_app(cluster: Cluster, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Apps on the cluster, one key prefix each; their clients are closed afterwards."""
    apps: list[Flask] = []

    def make(prefix: str, **settings: object) -> Flask:
        apps.append(create_app({"REDIS_URL": cluster.url, "REDIS_PREFIX": prefix, "DATA_DIR": str(tmp_path),
                                **settings}))
        return apps[-1]

    yield make
    for app in apps:
        app.extensions["moderation.store"].redis.close()


def _cluster_port() -> int:
    """A free port whose cluster-bus twin (port + 10000) is free and valid too."""
    for _ in range(200):
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise AssertionError("no free port pair for a cluster node")


def _wait_ok(port: int) -> None:
    from tests.servers import wait_until

    def ok() -> bool:
        out = subprocess.run([_redis_cli(), "-p", str(port), "cluster", "info"], capture_output=True, text=True,
                             check=False).stdout
        return "cluster_state:ok" in out

    wait_until(ok, 30, 0.2, what=f"cluster node {port}")


def test_the_whole_flow_runs_on_a_cluster(make_app: Callable[..., Flask]) -> None:
    app = make_app("blog1", **RELAXED)
    client, store = app.test_client(), app.extensions["moderation.store"]
    ids = [client.post("/api/v1/comments", json=comment_payload(content=f"Avis {i}")).get_json()["id"]
           for i in range(5)]
    worker = scoring_worker(app, WorkerSettings(block_ms=10), "w")
    worker.ensure_group()
    assert worker.step() == 5
    auth = {"Authorization": f"Bearer {create_token(store.redis, store.keys, 'alice')}"}
    queue = client.get("/api/v1/moderation/queue?sort=risk", headers=auth).get_json()["items"]
    assert sorted(c["id"] for c in queue) == sorted(ids)
    assert client.post(f"/api/v1/moderation/comments/{ids[0]}/decision", json={"action": "approve"},
                       headers=auth).status_code == 200
    assert client.post(f"/api/v1/moderation/comments/{ids[0]}/decision", json={"action": "reject"},
                       headers=auth).status_code == 409
    assert [c["id"] for c in client.get("/api/v1/posts/42/comments").get_json()["items"]] == [ids[0]]
    erased = client.post("/api/v1/moderation/privacy/erase", json={"email": "camille@example.fr"}, headers=auth)
    assert erased.get_json()["comments"] == 5


def _keys_per_node(cluster: Cluster, pattern: str) -> list[int]:
    counts = []
    for node in cluster.nodes:
        client = redis.Redis(port=node.port, decode_responses=True)
        counts.append(sum(1 for _ in client.scan_iter(match=pattern, count=1000)))
        client.close()
    return counts


def test_one_blog_spreads_over_every_master(cluster: Cluster, make_app: Callable[..., Flask]) -> None:
    app = make_app("blog2", **RELAXED)
    client, store = app.test_client(), app.extensions["moderation.store"]
    assert store.keys.shards == 16
    ids = [client.post("/api/v1/comments", json=comment_payload(post_id=f"article-{i}", content=f"Avis {i}"))
           .get_json()["id"] for i in range(24)]
    worker = scoring_worker(app, WorkerSettings(block_ms=10), "w")
    worker.ensure_group()
    while worker.step():
        pass
    per_node = _keys_per_node(cluster, "blog2:*:comment:*")
    assert sum(per_node) == 24 and all(n > 0 for n in per_node), per_node
    assert _keys_per_node(cluster, "blog2:*:incoming").count(0) == 0  # the scoring streams too
    auth = {"Authorization": f"Bearer {create_token(store.redis, store.keys, 'alice')}"}
    seen, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/moderation/queue?sort=oldest&limit=10&cursor={cursor}", headers=auth).get_json()
        seen += [c["id"] for c in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert seen == ids  # one order across the nodes, submission order
    assert page["counts"]["pending"] == 24


# redis-py drops its client for the dead node without closing the socket: not ours to fix.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_node_down_between_admission_and_storage_stores_nothing(cluster: Cluster,
                                                                 make_app: Callable[..., Flask]) -> None:
    app = make_app("blog3", REDIS_TIMEOUT=0.5, FLOOD_SECONDS=0.5)
    client, store = app.test_client(), app.extensions["moderation.store"]
    admission_port = store.redis.get_node_from_key(store.keys.base).port
    post = next(f"article-{i}" for i in range(100)
                if store.redis.get_node_from_key(store.keys.post_by_time(f"article-{i}", "x")).port != admission_port)
    down = cluster.node(store.redis.get_node_from_key(store.keys.post_by_time(post, "x")).port)
    payload = comment_payload(post_id=post, content="Un avis qui doit arriver entier ou pas du tout.")
    down.stop(kill=True)
    try:
        refused = client.post("/api/v1/comments", json=payload)
        assert refused.status_code == 503, refused.get_json()
    finally:
        down.start()
        for node in cluster.nodes:
            _wait_ok(node.port)
    # Admission ran on a live node, storage could not: no comment, index or flood mark is left.
    assert _keys_per_node(cluster, "blog3:*:comment:*") == [0, 0, 0]
    assert _keys_per_node(cluster, "blog3:*:flood:*") == [0, 0, 0]
    accepted = wait_until(lambda: _post_ok(client, payload), 30, 0.5, what="the cluster taking writes again")
    assert store.get(accepted)["content"] == payload["content"]
    # A duplicate found by storage takes its admission's flood marks back too.
    time.sleep(0.6)
    assert client.post("/api/v1/comments", json=payload).status_code == 409
    assert client.post("/api/v1/comments", json={**payload, "content": "Un autre avis."}).status_code == 202
    gc.collect()  # that socket, while its warning is ignored


def _post_ok(client: FlaskClient, payload: dict[str, object]) -> str | None:
    answer = client.post("/api/v1/comments", json=payload)
    return answer.get_json()["id"] if answer.status_code == 202 else None
