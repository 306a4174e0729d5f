"""Real servers for the tests: redis-server on a free port, the service under `moderation serve`, a webhook receiver."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import redis
import requests

from service.embedded import redis_binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    """The page at ``url`` answers 200 (a server just started is up)."""
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def wait_until(check, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):  # type: ignore[no-untyped-def]
    """Poll ``check`` until it returns something truthy, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class RedisServer:
    """A private redis-server with append-only persistence, which tests may stop and restart."""

    def __init__(self, directory: Path, port: int | None = None, fsync: str = "always",
                 extra: list[str] | None = None):
        self.dir = directory
        self.fsync = fsync
        self.extra = extra or []
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", self.fsync, "--save", "", "--daemonize", "no",
             "--logfile", str(self.dir / "redis.log"), *self.extra],
            stdin=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        try:
            wait_until(lambda: self._ping(client), 15, what=f"redis-server on port {self.port}")
        finally:
            client.close()
        return self

    @staticmethod
    def _ping(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.exceptions.RedisError:
            return False

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc = None


class ServiceProcess:
    """`moderation serve` (gunicorn + scoring workers) as a real process tree on a free port."""

    def __init__(self, workdir: Path, env: dict[str, str], web_workers: int = 2, scoring_workers: int = 1,
                 port: int | None = None):
        self.port = port or free_port()
        self.workdir = workdir
        self.log_path = workdir / "service.log"
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.args = [str(Path(sys.executable).with_name("moderation")), "serve", "--port", str(self.port),
                     "--workers", str(web_workers), "--scoring-workers", str(scoring_workers)]
        if not Path(self.args[0]).exists():
            self.args[0:1] = [sys.executable, "-m", "service.cli"]
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> ServiceProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(self.args, cwd=self.workdir, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self._ready, timeout, 0.2, what="the service to become ready")
        return self

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"service exited early:\n{self.log_path.read_text()[-3000:]}")
        try:
            return requests.get(self.base + "/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            code = self.proc.wait()
        self._log.close()
        return code

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def redis_available() -> bool:
    try:
        redis_binary()
        return True
    except RuntimeError:
        return shutil.which("redis-server") is not None


class Receiver:
    """A local HTTP endpoint that fails its first ``failures`` requests, then accepts."""

    def __init__(self, failures: int = 0):
        self.failures, self.received = failures, []  # type: list[tuple[dict[str, str], bytes]]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                failing = len(receiver.received) <= receiver.failures
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
