"""`moderation serve`'s process tree: gunicorn, scoring workers and the embedded Redis, kept alive
together and never outliving the supervisor.

Each child gets SIGTERM from the kernel when the supervisor dies, even by SIGKILL
(``service.processes.spawn``): gunicorn then stops gracefully and frees the port, Redis flushes
its append-only file, scoring workers finish their batch. The embedded Redis is restarted on
the same data if it dies. A second ``serve`` on the same data directory is refused while the
first runs, and starts at once after it was killed (the kernel drops a dead process's lock).
"""

from __future__ import annotations

import fcntl
import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from service.embedded import EmbeddedRedis
from service.processes import spawn

log = logging.getLogger("service.cli")


class ServeLock:
    """One `moderation serve` per data directory: a lock the kernel releases when its holder dies."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir).resolve() / "serve.lock"
        self._fh: IO[str] | None = None

    def acquire(self, timeout: float = 2.0) -> bool:
        """Take the lock, waiting a moment for a `serve` that is stopping; False if one is running."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("w")
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self._fh.close()
                    return False
                time.sleep(0.1)


class Supervisor:
    """Runs gunicorn and the scoring workers (and the embedded Redis, if any); restarts a dead worker
    or Redis; stops all on a signal."""

    def __init__(self, env: dict[str, str], redis: EmbeddedRedis | None = None, what: str = "the service"):
        self.env = env
        self.redis = redis
        self.what = what
        self.stop = threading.Event()

    def run(self, web: list[str], workers: list[list[str]]) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop.set())
        server = spawn(web, self.env)
        children = [spawn(cmd, self.env) for cmd in workers]
        try:
            while not self.stop.is_set():
                if server.poll() is not None:
                    log.error("gunicorn exited with %s", server.returncode)
                    return server.returncode or 1
                for i, child in enumerate(children):
                    if child.poll() is not None:
                        log.warning("scoring worker exited with %s; restarting it", child.returncode)
                        children[i] = spawn(workers[i], self.env)
                self._keep_redis()
                self.stop.wait(0.5)
            # Ctrl-C: say what is stopping and that it may take a moment (requests in flight, a batch being scored).
            print(f"stopping {self.what} (up to 15 s)…", file=sys.stderr, flush=True)
            return 0
        finally:
            stop_all([server, *children])

    def _keep_redis(self) -> None:
        """The embedded Redis died: start it again on the same data (its append-only file is replayed)."""
        proc = self.redis.process if self.redis else None
        if self.redis is None or proc is None or proc.poll() is None:
            return
        log.error("embedded Redis exited with %s; restarting it", proc.returncode)
        try:
            self.redis.start()
        except RuntimeError as exc:
            log.error("embedded Redis could not restart (%s); trying again", exc)


def stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to every live process, then SIGKILL to those still running after 15 s."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 15
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
