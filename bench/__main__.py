"""Run the benchmark and write bench/RESULTS.md.

    python -m bench            # full run, a few minutes on 2 cores
    python -m bench --smoke    # seconds: proves the harness works, numbers meaningless
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import tempfile
import time
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

import redis

import classifier
from bench import http, inprocess, slowloris, wave
from bench.report import render
from bench.workload import write_bodies, write_perspective_bodies
from service.auth import create_api_key, create_token
from service.keys import Keys
from tests.servers import RedisServer


def profile(smoke: bool) -> dict[str, Any]:
    if smoke:
        return {"seconds": 1, "connections": 8, "scaling_workers": (1, 2), "queue_sizes": (100, 1000),
                "single": 50, "batch": 256, "cost_n": 20, "worker_n": 200, "lag_rate": 50, "lag_seconds": 2,
                "slow_clients": 20, "rounds": 2, "slice": 1, "steps_n": 50, "wave": 100, "wave_seconds": 2}
    return {"seconds": 10, "connections": 32, "scaling_workers": (1, 2, 4), "queue_sizes": (100, 10_000, 100_000),
            "single": 1000, "batch": 4096, "cost_n": 500, "worker_n": 6000, "lag_rate": 300, "lag_seconds": 20,
            "slow_clients": 200, "rounds": 4, "slice": 5, "steps_n": 1000, "wave": 5000, "wave_seconds": 60}


def endpoints(base: str, token: str) -> dict[str, tuple[str, str, str]]:
    return {"POST /api/v1/comments": ("POST", f"{base}/api/v1/comments", "-"),
            "GET /api/v1/posts/<id>/comments": ("GET", f"{base}/api/v1/posts/article-7/comments", "-"),
            "GET /api/v1/moderation/queue": ("GET", f"{base}/api/v1/moderation/queue?sort=risk&limit=50", token)}


def run(smoke: bool, out: Path) -> dict[str, Any]:
    p = profile(smoke)
    results: dict[str, Any] = {"smoke": smoke, "profile": p, "date": dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds"), "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                                        f"{platform.python_version()}"}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bodies = write_bodies(work / "bodies.jsonl")
        server = RedisServer(work / "redis", fsync="everysec").start()
        try:
            results.update(_http(server.url, work, bodies, p))
            results["wave"] = _wave(server.url, work, p)
            results["steps"] = inprocess.request_steps(server.url, p["steps_n"])
            results["queue_scaling"] = _queue_scaling(server.url, work, p)
            model = classifier.load()
            results["classifier"] = inprocess.classifier_speed(model, p["single"], p["batch"])
            results["redis"] = inprocess.redis_cost(server.url, p["cost_n"])
            results["worker"] = {f"{n} worker(s)": inprocess.worker_throughput(server.url, p["worker_n"], n)
                                 for n in (1, 2)}
            results["lag"] = inprocess.lag_at_rate(server.url, p["lag_rate"], p["lag_seconds"])
        finally:
            server.stop()
    out.write_text(render(results))
    return results


def _token(url: str, prefix: str) -> str:
    client = redis.Redis.from_url(url, decode_responses=True)
    token = create_token(client, Keys(prefix), "bench")
    client.close()
    return token


def _http(url: str, work: Path, bodies: Path, p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"endpoints": {}, "scaling": {}, "memory": {}}
    svc = http.service(url, work, web_workers=2)
    token = _token(url, svc.prefix)  # type: ignore[attr-defined]
    try:
        with http.Ceiling(2, work, url) as ceiling:
            for name, (method, ours, tok) in endpoints(svc.base, token).items():
                theirs = endpoints(ceiling.base, token)[name][1]
                base = http.wrk(theirs, p["seconds"], p["connections"], method, bodies, tok)
                mine = http.wrk(ours, p["seconds"], p["connections"], method, bodies, tok)
                if method == "POST":
                    out["scoring_backlog"] = _catch_up(url, svc.prefix)  # type: ignore[attr-defined]
                out["endpoints"][name] = {"ours": asdict(mine), "ceiling": asdict(base),
                                          "ratio": round(mine.rps / base.rps, 3) if base.rps else 0}
            # The least a submission that loses nothing costs: parse, one Redis append, answer.
            durable = http.wrk(f"{ceiling.base}/durable", p["seconds"], p["connections"], "POST", bodies)
            out["durable_floor"] = asdict(durable)
            out["alternating"] = _alternating(ceiling.base, svc.base, bodies, p)
        out["perspective"] = _perspective(url, svc, work, p)
        out["slow_clients"] = asdict(slowloris.measure(svc.base, p["slow_clients"], p["seconds"]))
        for pid in http.children(svc.proc.pid):  # type: ignore[union-attr]
            for child in [pid, *http.children(pid)]:
                cmd = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                kind = "scoring worker" if "worker" in cmd and "gunicorn" not in cmd else (
                    "gunicorn worker" if child != pid else "gunicorn master")
                out["memory"][f"{kind} {child}"] = http.rss_mb(child)
    finally:
        svc.stop()
    for workers in p["scaling_workers"]:
        svc = http.service(url, work, web_workers=workers, scoring_workers=0)
        try:
            load = http.wrk(f"{svc.base}/api/v1/comments", p["seconds"], p["connections"], "POST", bodies)
            out["scaling"][workers] = asdict(load)
        finally:
            svc.stop()
    return out


def _alternating(ceiling: str, service: str, bodies: Path, p: dict[str, Any]) -> dict[str, Any]:
    """Submissions in short alternating slices (ceiling, floor, service, then the reverse), each ratio against
    the ceiling of its own round: the shared machine's speed swings between runs, much less within a round."""
    targets = {"ceiling": f"{ceiling}/api/v1/comments", "floor": f"{ceiling}/durable",
               "service": f"{service}/api/v1/comments"}
    rounds = []
    for r in range(p["rounds"]):
        order = ["ceiling", "floor", "service"] if r % 2 == 0 else ["service", "floor", "ceiling"]
        got = {name: http.wrk(targets[name], p["slice"], p["connections"], "POST", bodies) for name in order}
        rounds.append({name: asdict(load) for name, load in got.items()})

    def ratios(name: str) -> list[float]:
        return [round(r[name]["rps"] / r["ceiling"]["rps"], 3) if r["ceiling"]["rps"] else 0.0 for r in rounds]

    return {"rounds": rounds, "service_ratios": ratios("service"), "floor_ratios": ratios("floor"),
            "service_ratio": statistics.median(ratios("service")), "floor_ratio": statistics.median(ratios("floor")),
            "service_p99_ms": statistics.median(r["service"]["p99_ms"] for r in rounds)}


def _wave(url: str, work: Path, p: dict[str, Any]) -> dict[str, Any]:
    """The spam-wave scenario on `moderation serve` with its scoring worker and production limits."""
    svc = http.service(url, work, web_workers=2)
    try:
        return wave.run(svc.base, url, svc.prefix, _token(url, svc.prefix), p["wave"],  # type: ignore[attr-defined]
                        p["wave_seconds"])
    finally:
        svc.stop()


def _catch_up(url: str, prefix: str, timeout: float = 300) -> dict[str, float]:
    """Comments still waiting for the scoring worker when a submission run ends, and how long the
    worker (at its lower CPU priority) then takes to file them all."""
    client = redis.Redis.from_url(url, decode_responses=True)
    waiting = Keys(prefix).incoming()
    backlog = client.xlen(waiting)
    started = time.monotonic()
    left = inprocess.wait_until_filed(client, waiting, timeout, 0.05)
    client.close()
    return {"backlog": backlog, "catch_up_s": round(time.monotonic() - started, 1), "left": left}


def _perspective(url: str, svc: Any, work: Path, p: dict[str, Any]) -> dict[str, Any]:
    """``comments:analyze`` scores in the request: its latency, at a Coral-like concurrency."""
    client = redis.Redis.from_url(url, decode_responses=True)
    key = create_api_key(client, Keys(svc.prefix), "bench-perspective")
    client.close()
    bodies = write_perspective_bodies(work / "perspective.jsonl")
    return asdict(http.wrk(f"{svc.base}/v1alpha1/comments:analyze?key={key}", p["seconds"], 4, "POST", bodies))


def _queue_scaling(url: str, work: Path, p: dict[str, Any]) -> dict[int, Any]:
    prefix = f"queue{uuid.uuid4().hex[:6]}"
    svc = http.service(url, work, web_workers=2, scoring_workers=0, prefix=prefix)
    token, seeded, out = _token(url, prefix), 0, {}
    try:
        for size in p["queue_sizes"]:
            inprocess.seed_pending(url, prefix, size - seeded, start=seeded)
            seeded = size
            load = http.wrk(f"{svc.base}/api/v1/moderation/queue?sort=risk&limit=50", p["seconds"], 4, "GET",
                            None, token)
            out[size] = asdict(load)
    finally:
        svc.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few seconds; proves the harness, not the speed")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args()
    run(args.smoke, args.out)
    print(args.out.read_text())


if __name__ == "__main__":
    main()
