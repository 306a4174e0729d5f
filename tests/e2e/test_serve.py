"""End to end against `moderation serve`: real gunicorn, real scoring worker, real Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests

from service.auth import create_token
from service.keys import Keys
from tests.conftest import RELAXED_ENV
from tests.servers import RedisServer, ServiceProcess, wait_until

EMAIL = "lea.martin@example.fr"
CLIENT_IP = "203.0.113.77"


@pytest.fixture(scope="module")
def service(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    prefix = f"e2e{uuid.uuid4().hex[:8]}"
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_TRUSTED_PROXIES": "1",
           "MODERATION_WORKER_CLAIM_IDLE_MS": "500", **RELAXED_ENV}
    proc = ServiceProcess(tmp_path_factory.mktemp("serve"), env).start()
    proc.prefix = prefix  # type: ignore[attr-defined]
    yield proc
    assert proc.stop() == 0


@pytest.fixture(scope="module")
def headers(service: ServiceProcess, redis_server: RedisServer) -> dict[str, str]:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    token = create_token(client, Keys(service.prefix), "moderatrice")  # type: ignore[attr-defined]
    client.close()
    return {"Authorization": f"Bearer {token}"}


def queued(service: ServiceProcess, headers: dict[str, str], comment_id: str) -> dict[str, object] | None:
    items = requests.get(f"{service.base}/api/v1/moderation/queue?post=article-1&limit=100", headers=headers,
                         timeout=5).json()["items"]
    return next((c for c in items if c["id"] == comment_id), None)


def test_submit_score_moderate_publish(service: ServiceProcess, headers: dict[str, str]) -> None:
    as_json = requests.post(f"{service.base}/api/v1/comments", timeout=5, headers={"X-Forwarded-For": CLIENT_IP},
                            json={"post_id": "article-1", "author": "Léa", "email": EMAIL,
                                  "content": "Merci pour cet article très clair, j'ai appris beaucoup."})
    as_form = requests.post(f"{service.base}/api/v1/comments", timeout=5, headers={"X-Forwarded-For": CLIENT_IP},
                            data={"comment_post_ID": "article-1", "author": "Marc", "email": "marc@example.fr",
                                  "url": "", "comment": "Je ne suis pas d'accord du tout.", "comment_parent": "0",
                                  "submit": "Publier le commentaire"})
    assert as_json.status_code == as_form.status_code == 202
    json_id, form_id = as_json.json()["id"], as_form.json()["id"]

    scored = wait_until(lambda: queued(service, headers, json_id), timeout=15, what="the comment to be scored")
    wait_until(lambda: queued(service, headers, form_id), timeout=15, what="the form comment to be scored")
    assert scored["status"] == "pending" and scored["email"] == EMAIL
    assert scored["ip"] == "203.0.113.0/24"  # the proxy's X-Forwarded-For, truncated once scored
    scores = scored["scores"]
    assert set(scores) == {"spam", "toxicity", "insult", "threat", "identity_attack", "profanity"}  # type: ignore[arg-type]
    assert all(scores[k] <= scores["toxicity"] for k in ("insult", "threat", "identity_attack", "profanity"))  # type: ignore[index]

    approve = requests.post(f"{service.base}/api/v1/moderation/comments/{json_id}/decision", headers=headers,
                            json={"action": "approve"}, timeout=5)
    reject = requests.post(f"{service.base}/api/v1/moderation/comments/{form_id}/decision", headers=headers,
                           json={"action": "reject", "note": "hors sujet"}, timeout=5)
    assert approve.status_code == reject.status_code == 200

    public = requests.get(f"{service.base}/api/v1/posts/article-1/comments", timeout=5)
    assert [c["id"] for c in public.json()["items"]] == [json_id]
    assert EMAIL not in public.text and CLIENT_IP not in public.text and "score" not in public.text


def test_worker_killed_mid_batch_loses_nothing(service: ServiceProcess, headers: dict[str, str],
                                               redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    keys = Keys(service.prefix)  # type: ignore[attr-defined]
    # Freeze the live scoring worker, let a doomed consumer take the batch and vanish, then thaw.
    found = subprocess.run(["pgrep", "-f", "service.cli worker", "-P", str(service.proc.pid)],  # type: ignore[union-attr]
                           capture_output=True, text=True, check=False)
    worker_pids = [int(p) for p in found.stdout.split()]
    assert worker_pids
    for pid in worker_pids:
        os.kill(pid, 19)  # SIGSTOP
    try:
        ids = [requests.post(f"{service.base}/api/v1/comments", timeout=5,
                             json={"post_id": "article-1", "author": "X", "email": "x@example.fr",
                                   "content": f"Commentaire {i}"}).json()["id"] for i in range(5)]
        client.xreadgroup("scorers", "doomed", {keys.incoming(): ">"}, count=10)
        # Every entry is now held by a stopped or vanished consumer (the frozen worker's blocked
        # read may already have taken one): none is filed yet.
        assert client.xpending(keys.incoming(), "scorers")["pending"] == 5
    finally:
        for pid in worker_pids:
            os.kill(pid, 18)  # SIGCONT
    for comment_id in ids:
        wait_until(lambda cid=comment_id: queued(service, headers, cid), timeout=15, what="reclaimed comments")
    assert client.xpending(keys.incoming(), "scorers")["pending"] == 0
    client.close()


def test_scoring_worker_yields_the_cpu_to_the_web_workers(service: ServiceProcess) -> None:
    serve = service.proc.pid  # type: ignore[union-attr]
    found = subprocess.run(["pgrep", "-P", str(serve)], capture_output=True, text=True, check=False)
    children = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in map(int, found.stdout.split())}
    scoring = [pid for pid, cmd in children.items() if b"service.cli\0worker" in cmd]
    web = [pid for pid, cmd in children.items() if b"gunicorn" in cmd]
    assert scoring and web
    base = os.getpriority(os.PRIO_PROCESS, serve)
    assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in web} == {base}
    # MODERATION_WORKER_NICE's default: the scheduler serves requests first, scoring takes idle time.
    assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in scoring} == {min(19, base + 10)}


def test_logs_hold_no_email_or_ip(service: ServiceProcess) -> None:
    log = service.log()
    assert '"method": "POST", "path": "/api/v1/comments"' in log  # the JSON access log is there...
    assert EMAIL not in log and CLIENT_IP not in log  # ...without personal data


def test_embedded_redis_two_command_start_keeps_data_across_restarts(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["REDIS_URL"] = ""
    first = ServiceProcess(tmp_path, env, web_workers=1).start()
    comment = requests.post(f"{first.base}/api/v1/comments", timeout=5,
                            json={"post_id": "p", "author": "A", "email": "a@example.fr", "content": "Bonjour"})
    assert comment.status_code == 202
    assert first.stop() == 0
    assert (tmp_path / "var" / "appendonlydir").is_dir() or (tmp_path / "var" / "appendonly.aof").exists()
    assert not (tmp_path / "var" / "redis.sock").exists()  # the embedded server stopped with the service

    second = ServiceProcess(tmp_path, env, web_workers=1).start()
    try:
        from click.testing import CliRunner

        from service.cli import main

        result = CliRunner().invoke(main, ["token", "create", "admin"],
                                    env={"REDIS_URL": "", "MODERATION_DATA_DIR": str(tmp_path / "var")})
        token = result.output.strip().splitlines()[-1]
        detail = requests.get(f"{second.base}/api/v1/moderation/comments/{comment.json()['id']}", timeout=5,
                              headers={"Authorization": f"Bearer {token}"})
        assert detail.status_code == 200 and detail.json()["content"] == "Bonjour"
    finally:
        assert second.stop() == 0


def test_a_busy_port_fails_before_serving_and_ctrl_c_says_what_stops(tmp_path: Path) -> None:
    env = {**os.environ, "REDIS_URL": "", "MODERATION_DATA_DIR": str(tmp_path / "var")}
    service = ServiceProcess(tmp_path / "first", {"REDIS_URL": "", "MODERATION_DATA_DIR": str(tmp_path / "var")},
                             web_workers=1).start()
    try:
        second = subprocess.run([*service.args[:-7], "serve", "--port", str(service.port)], env={
            **env, "MODERATION_DATA_DIR": str(tmp_path / "other")}, capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert f"cannot listen on 127.0.0.1:{service.port}" in second.stderr
        assert "serving on" not in second.stdout + second.stderr
        assert not (tmp_path / "other" / "redis.sock").exists()  # nothing was started
    finally:
        assert service.stop(signal.SIGINT) == 0  # what Ctrl-C sends
    log = service.log()
    assert "stopping 1 web and 1 scoring worker(s) and the embedded Redis" in log and log.rstrip().endswith("stopped")


def test_the_readmes_quick_start_lines_run_as_pasted(service: ServiceProcess) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("the lines\nrun as pasted:\n\n```sh\n", 1)[1].split("```", 1)[0]
    script = block.replace("localhost:8000", f"127.0.0.1:{service.port}")
    env = {**service.env, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    published = done.stdout.strip().splitlines()[-1]
    assert '"content":"Merci pour cet article !"' in published.replace(": ", ":")
