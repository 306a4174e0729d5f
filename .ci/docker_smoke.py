"""CI step: prove the Docker image. Build it on a local base image (no registry is reachable),
run it against a Redis on this host, submit a comment, score it in a worker container, approve
it, read it back. Skips, saying why, only when no Docker engine can be started here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import RedisServer, free_port, wait_until  # noqa: E402

BASE, IMAGE = "moderation-base:bookworm", "moderation:ci"


def sh(*args: str, check: bool = True, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=check, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]


def engine() -> bool:
    if not shutil.which("docker"):
        return False
    if sh("docker", "info", check=False).returncode == 0:
        return True
    if not shutil.which("dockerd"):
        return False
    subprocess.Popen(["dockerd"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if sh("docker", "info", check=False).returncode == 0:
            return True
        time.sleep(1)
    return False


def main() -> int:
    if not engine():
        print("docker smoke: SKIPPED: no Docker engine could be started on this machine")
        return 0
    if sh("docker", "image", "inspect", BASE, check=False).returncode != 0:
        print("docker smoke: building the local base image (debootstrap)")
        sh(str(ROOT / "docker" / "base-image.sh"), BASE)
    print("docker smoke: building the image")
    sh("docker", "build", "-q", "--build-arg", f"BASE_IMAGE={BASE}", "-t", IMAGE, str(ROOT))
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"docker-smoke-{os.getpid()}"
    redis = RedisServer(tmp / "redis").start()
    port = free_port()
    common = ["--network", "host", "-e", f"REDIS_URL={redis.url}", "-e", "MODERATION_SECRET_KEY=ci"]
    containers = []
    try:
        containers.append(sh("docker", "run", "-d", *common, "-e", f"MODERATION_PORT={port}", IMAGE).stdout.strip())
        containers.append(sh("docker", "run", "-d", *common, IMAGE, "moderation", "worker").stdout.strip())
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _ready(base), 60, 0.5, what="the container to be ready")
        assert sh("docker", "exec", containers[0], "id", "-u").stdout.strip() == "10001", "not the non-root user"
        token = sh("docker", "exec", containers[0], "moderation", "token", "create", "ci").stdout.splitlines()[-1]
        headers = {"Authorization": f"Bearer {token}"}
        sent = requests.post(f"{base}/api/v1/comments", timeout=10, json={
            "post_id": "docker", "author": "Léa", "email": "lea@example.fr", "content": "Bravo pour cet article."})
        assert sent.status_code == 202, sent.text
        comment_id = sent.json()["id"]
        url = f"{base}/api/v1/moderation/comments/{comment_id}"
        wait_until(lambda: requests.get(url, headers=headers, timeout=5).json()["status"] == "pending", 60,
                   what="the worker container to score the comment")
        decided = requests.post(f"{url}/decision", headers=headers, json={"action": "approve"}, timeout=10)
        assert decided.status_code == 200, decided.text
        public = requests.get(f"{base}/api/v1/posts/docker/comments", timeout=10).json()["items"]
        assert [c["id"] for c in public] == [comment_id] and "lea@example.fr" not in str(public)
        health = wait_until(lambda: _health(containers[0]) in ("healthy", "unhealthy") and _health(containers[0]),
                            90, 1, what="the HEALTHCHECK")
        assert health == "healthy", health
        logs = sh("docker", "logs", containers[0]).stdout
        assert '"path": "/api/v1/comments"' in logs and "lea@example.fr" not in logs
        print("docker smoke: passed (build, run as uid 10001, submit, score, approve, read back, healthy)")
    finally:
        for container in containers:
            sh("docker", "rm", "-f", container, check=False)
        redis.stop()
    return compose()


def compose() -> int:
    """`docker compose up` gives a working service: web, a scoring worker and Redis with AOF."""
    tool = ["docker-compose"] if shutil.which("docker-compose") else ["docker", "compose"]
    if sh(*tool, "version", check=False).returncode != 0:
        print("docker smoke: compose SKIPPED: neither docker-compose nor docker compose is installed")
        return 0
    sh("docker", "build", "-q", "--build-arg", f"BASE_IMAGE={BASE}", "-t", "moderation-redis:ci", "-f",
       str(ROOT / "docker" / "redis.Dockerfile"), str(ROOT / "docker"))
    port = free_port()
    env = {**os.environ, "BASE_IMAGE": BASE, "REDIS_IMAGE": "moderation-redis:ci", "MODERATION_HOST_PORT": str(port),
           "MODERATION_REDIS_HOST_PORT": str(free_port())}
    name = f"modci{os.getpid()}"
    project = [*tool, "-p", name, "-f", str(ROOT / "docker-compose.yml")]
    try:
        sh(*project, "up", "-d", "--build", env=env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _ready(base), 90, 0.5, what="compose's web service")
        token = sh(*project, "exec", "-T", "web", "moderation", "token", "create", "ci", env=env,
                   cwd=ROOT).stdout.splitlines()[-1]
        headers = {"Authorization": f"Bearer {token}"}
        sent = requests.post(f"{base}/api/v1/comments", timeout=10, json={
            "post_id": "compose", "author": "Marc", "email": "marc@example.fr", "content": "Très instructif."})
        assert sent.status_code == 202, sent.text
        url = f"{base}/api/v1/moderation/comments/{sent.json()['id']}"
        wait_until(lambda: requests.get(url, headers=headers, timeout=5).json()["status"] == "pending", 60,
                   what="compose's worker to score the comment")
        assert requests.post(f"{url}/decision", headers=headers, json={"action": "approve"}, timeout=10).ok
        public = requests.get(f"{base}/api/v1/posts/compose/comments", timeout=10).json()["items"]
        assert [c["content"] for c in public] == ["Très instructif."]
        # Each reader's own address reaches the service (web on the host's network), not the gateway of the stack's
        # network that Docker's userland proxy would show for every reader (one flood budget for all of them).
        seen = requests.get(url, headers=headers, timeout=5).json()["ip"]
        network = json.loads(sh("docker", "network", "inspect", f"{name}_default").stdout)[0]
        gateway = network["IPAM"]["Config"][0]["Gateway"]
        assert seen and not seen.startswith(gateway.rsplit(".", 1)[0] + "."), (seen, gateway)
        # No secret given: one generated on first run, the same for web and worker (one volume).
        keys = [sh(*project, "exec", "-T", name, "cat", "/var/lib/moderation/secret_key", env=env,
                   cwd=ROOT).stdout.strip() for name in ("web", "worker")]
        assert len(keys[0]) >= 32 and keys[0] == keys[1], "web and worker must share one generated secret"
        refused = sh("docker", "run", "--rm", "-e", "MODERATION_SECRET_KEY=change-me", "moderation:compose",
                     check=False)
        assert refused.returncode != 0 and "placeholder" in refused.stdout + refused.stderr, refused
        print("docker smoke: compose passed (web, worker and Redis with AOF on a named volume; a generated secret "
              "shared by web and worker; a placeholder secret refused)")
        return 0
    finally:
        sh(*project, "down", "-v", env=env, cwd=ROOT, check=False)


def _ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _health(container: str) -> str:
    return sh("docker", "inspect", "-f", "{{.State.Health.Status}}", container).stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
