"""`moderation serve` looks after its own process tree: the embedded Redis comes back by itself,
and a killed `serve` leaves nothing behind and starts again at once."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import requests
from click.testing import CliRunner

from service.cli import main
from tests.conftest import RELAXED_ENV
from tests.servers import ServiceProcess, wait_until


def embedded_env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "REDIS_URL"}, "REDIS_URL": "", **RELAXED_ENV}


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid``."""
    out: list[int] = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        out += [int(child), *descendants(int(child))]
    return out


def at_least(n: int, pids: list[int]) -> list[int] | None:
    return pids if len(pids) >= n else None


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def redis_pid(serve: ServiceProcess) -> int | None:
    for pid in descendants(serve.proc.pid):  # type: ignore[union-attr]
        if running(pid) and b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    return None


def submit(base: str, content: str) -> requests.Response:
    return requests.post(f"{base}/api/v1/comments", timeout=5,
                         json={"post_id": "p", "author": "A", "email": "a@example.fr", "content": content})


def accepted(base: str, content: str) -> bool:
    try:
        return submit(base, content).status_code == 202
    except requests.RequestException:
        return False


def read_back(data_dir: Path, base: str, comment_id: str) -> str:
    result = CliRunner().invoke(main, ["token", "create", "admin"],
                                env={"REDIS_URL": "", "MODERATION_DATA_DIR": str(data_dir)})
    token = result.output.strip().splitlines()[-1]
    detail = requests.get(f"{base}/api/v1/moderation/comments/{comment_id}", timeout=5,
                          headers={"Authorization": f"Bearer {token}"})
    return str(detail.json()["content"])


def test_a_killed_embedded_redis_is_restarted_on_its_data_and_the_service_recovers(tmp_path: Path) -> None:
    serve = ServiceProcess(tmp_path, embedded_env(), web_workers=1).start()
    try:
        before = submit(serve.base, "Avant la panne de Redis.")
        assert before.status_code == 202
        old = redis_pid(serve)
        assert old is not None
        os.kill(old, signal.SIGKILL)
        new = wait_until(lambda: (p := redis_pid(serve)) != old and p, timeout=10, what="a new embedded Redis")
        assert new != old
        wait_until(lambda: accepted(serve.base, "Après la panne de Redis."), timeout=15,
                   what="submissions to be accepted again")
        assert not running(old)  # reaped, no defunct process left behind
        assert read_back(tmp_path / "var", serve.base, before.json()["id"]) == "Avant la panne de Redis."
    finally:
        assert serve.stop() == 0


def test_a_killed_serve_leaves_no_orphans_and_starts_again_at_once(tmp_path: Path) -> None:
    first = ServiceProcess(tmp_path, embedded_env(), web_workers=2, scoring_workers=1).start()
    pid = first.proc.pid  # type: ignore[union-attr]
    try:
        comment = submit(first.base, "Gardé malgré le kill -9.")
        assert comment.status_code == 202
        # gunicorn master, two web workers (the second may still be forking when the first answers), Redis,
        # a scoring worker
        tree = wait_until(lambda: at_least(5, descendants(pid)), timeout=20, what="the whole process tree")
        os.kill(pid, signal.SIGKILL)
        first.proc.wait()  # type: ignore[union-attr]
    except BaseException:
        first.stop()
        raise
    first._log.close()

    # At once, on the same port and data: before, gunicorn said "Connection in use" and Redis was an orphan.
    second = ServiceProcess(tmp_path, embedded_env(), web_workers=1, port=first.port).start(timeout=30)
    try:
        wait_until(lambda: not any(running(p) for p in tree), timeout=15, what="the old processes to exit")
        # The old web workers may have answered the readiness probe while they drained: now only the new one can.
        wait_until(lambda: accepted(second.base, "Après le redémarrage."), timeout=30, what="the new service")
        assert read_back(tmp_path / "var", second.base, comment.json()["id"]) == "Gardé malgré le kill -9."
    finally:
        assert second.stop() == 0


def test_a_second_serve_on_the_same_data_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    first = ServiceProcess(tmp_path, embedded_env(), web_workers=1, scoring_workers=0).start()
    try:
        result = CliRunner().invoke(main, ["serve", "--port", "1"], env={"REDIS_URL": "",
                                                                         "MODERATION_DATA_DIR": str(tmp_path / "var")})
        assert result.exit_code != 0
        assert "another `moderation serve` is running" in result.output
        assert accepted(first.base, "Le premier tourne toujours.")
    finally:
        assert first.stop() == 0
