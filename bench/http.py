"""HTTP load: the service and the ceiling under gunicorn, driven by wrk with the same script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

from service.cli import gunicorn_command
from tests.servers import ServiceProcess, free_port, wait_until

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    non2xx: int


def wrk(url: str, seconds: float, connections: int, method: str = "GET", bodies: Path | None = None,
        token: str = "-", threads: int = 2) -> Load:
    """Run wrk (from Debian) against ``url`` and read the JSON line our script prints."""
    binary = shutil.which("wrk")
    if not binary:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    out = subprocess.run([binary, "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
                          "--latency", "-s", str(HERE / "load.lua"), url, "--", method, str(bodies or "-"), token],
                         capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(x for x in out.stdout.splitlines() if x.startswith("{"))
    data = json.loads(line)
    return Load(round(data["requests"] / (data["duration_us"] / 1e6), 1), round(data["p50_ms"], 2),
                round(data["p95_ms"], 2), round(data["p99_ms"], 2), data["requests"], data["non2xx"])


class Ceiling:
    """bench.ceiling under gunicorn with the service's own gunicorn flags."""

    def __init__(self, workers: int, workdir: Path, redis_url: str | None = None):
        self.port = free_port()
        self.redis_url = redis_url
        cmd = gunicorn_command("127.0.0.1", self.port, workers)
        cmd[cmd.index("service:create_app()")] = "bench.ceiling:create_app()"
        self.cmd = cmd
        self.log = (workdir / "ceiling.log").open("wb")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Ceiling:
        env = {**os.environ, "PYTHONPATH": str(HERE.parent), **({"BENCH_REDIS_URL": self.redis_url} if self.redis_url
                                                                 else {})}
        self.proc = subprocess.Popen(self.cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=HERE.parent)
        wait_until(self._up, 30, 0.2, what="the ceiling app")
        return self

    def _up(self) -> bool:
        try:
            return requests.get(f"{self.base}/api/v1/moderation/queue", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def service(redis_url: str, workdir: Path, web_workers: int, scoring_workers: int = 1,
            prefix: str | None = None) -> ServiceProcess:
    """`moderation serve` with production settings (proxy-aware, abuse control on)."""
    env = {"REDIS_URL": redis_url, "MODERATION_REDIS_PREFIX": prefix or f"bench{uuid.uuid4().hex[:6]}",
           "MODERATION_TRUSTED_PROXIES": "1", "MODERATION_SECRET_KEY": "bench", "MODERATION_LOG_LEVEL": "INFO",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    proc = ServiceProcess(workdir / f"serve-{uuid.uuid4().hex[:4]}", env, web_workers, scoring_workers)
    proc.prefix = env["MODERATION_REDIS_PREFIX"]  # type: ignore[attr-defined]
    return proc.start()


def rss_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process in MB: PSS counts pages shared with other workers once."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            values[name] = int(rest.split()[0]) / 1024
    return round(values["Rss"], 1), round(values["Pss"], 1)


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return [int(p) for p in out.split()]
