"""Redis Cluster: three masters on loopback, the whole flow through a redis+cluster:// URL."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from service import create_app
from service.auth import create_token
from service.embedded import redis_binary
from service.worker import ScoringWorker, WorkerSettings
from tests.conftest import RELAXED, comment_payload
from tests.servers import RedisServer, free_port


def _redis_cli() -> str:
    found = shutil.which("redis-cli") or str(Path(redis_binary()).with_name("redis-cli"))
    if not Path(found).exists():
        pytest.skip("redis-cli is not installed (apt-get install redis-tools)")
    return found


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
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
        yield f"redis+cluster://127.0.0.1:{nodes[0].port}"
    finally:
        for node in nodes:
            node.stop()


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


def test_the_whole_flow_runs_on_a_cluster(cluster: str, tmp_path: Path) -> None:
    app = create_app({"REDIS_URL": cluster, "REDIS_PREFIX": "blog1", "DATA_DIR": str(tmp_path), **RELAXED})
    client, store = app.test_client(), app.extensions["moderation.store"]
    ids = [client.post("/api/v1/comments", json=comment_payload(content=f"Avis {i}")).get_json()["id"]
           for i in range(5)]
    worker = ScoringWorker(store, app.extensions["moderation.model"], WorkerSettings(block_ms=10), "w")
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
