"""Redis Sentinel: a master, a replica and a sentinel on loopback; a failover during a stream of
submissions loses no acknowledged comment."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest
import redis

from service import create_app
from service.embedded import redis_binary
from service.store import CommentStore
from tests.conftest import RELAXED, comment_payload
from tests.servers import RedisServer, free_port, wait_until


def _sentinel(directory: Path, master_port: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    conf = directory / "sentinel.conf"
    conf.write_text(f"port {port}\nbind 127.0.0.1\ndir {directory}\n"
                    f"sentinel monitor mymaster 127.0.0.1 {master_port} 1\n"
                    "sentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 5000\n")
    proc = subprocess.Popen([redis_binary(), str(conf), "--sentinel"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return proc, port


def test_failover_during_submissions_loses_no_acknowledged_comment(tmp_path: Path) -> None:
    master = RedisServer(tmp_path / "master", fsync="everysec").start()
    replica = RedisServer(tmp_path / "replica", fsync="everysec",
                          extra=["--replicaof", "127.0.0.1", str(master.port)]).start()
    sentinel, sentinel_port = _sentinel(tmp_path, master.port)
    watcher = redis.Redis(port=sentinel_port, decode_responses=True)
    try:
        wait_until(lambda: _ready(watcher), 20, 0.2, what="the sentinel to see the replica")
        app = create_app({"REDIS_URL": f"redis+sentinel://127.0.0.1:{sentinel_port}/mymaster/0",
                          "REDIS_WAIT_REPLICAS": 1, "REDIS_TIMEOUT": 1.0, "REDIS_PREFIX": "ha",
                          "DATA_DIR": str(tmp_path / "var"), **RELAXED})
        acknowledged: list[str] = []
        refused: list[int] = []
        stop = threading.Event()

        def submit() -> None:
            client, i = app.test_client(), 0
            while not stop.is_set():
                i += 1
                r = client.post("/api/v1/comments", json=comment_payload(content=f"Pendant la bascule {i}"))
                (acknowledged.append(r.get_json()["id"]) if r.status_code == 202 else refused.append(r.status_code))

        thread = threading.Thread(target=submit)
        thread.start()
        wait_until(lambda: len(acknowledged) >= 50, 20, what="submissions before the failover")
        watcher.execute_command("SENTINEL", "FAILOVER", "mymaster")
        wait_until(lambda: watcher.sentinel_get_master_addr_by_name("mymaster")[1] == replica.port, 30, 0.2,
                   what="the replica to be promoted")
        before = len(acknowledged)
        wait_until(lambda: len(acknowledged) >= before + 50, 30, what="submissions after the failover")
        stop.set()
        thread.join()
        assert set(refused) <= {503}, refused  # during the switch: "retry", never a 500
        promoted = redis.Redis(port=replica.port, decode_responses=True)
        stored = set(promoted.zrange("ha:{c}:status:received:time", 0, -1))
        stored |= {comment_id for comment_id, _ in CommentStore(promoted, "ha").unfiled(0)}  # not written yet
        assert set(acknowledged) <= stored, f"{len(set(acknowledged) - stored)} acknowledged comments lost"
        promoted.close()
    finally:
        watcher.close()
        sentinel.terminate()
        sentinel.wait(timeout=10)
        replica.stop()
        master.stop()


def _ready(watcher: redis.Redis) -> bool:
    try:
        replicas = watcher.execute_command("SENTINEL", "REPLICAS", "mymaster")
    except redis.exceptions.RedisError:
        return False
    return bool(replicas) and "master-link-status" in str(replicas) and "ok" in str(replicas)


@pytest.mark.parametrize("url", ["redis+sentinel://127.0.0.1:1", "redis+sentinel://127.0.0.1:26379"])
def test_a_sentinel_url_must_name_the_master(url: str) -> None:
    from service.connection import connect

    with pytest.raises(ValueError, match="name the master"):
        connect(url)
