"""Measurements that need no HTTP: the classifier, Redis cost per comment, worker throughput and lag."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

import redis

import classifier
from bench.ceiling import append
from bench.workload import texts
from service.antiabuse import Guard, GuardSettings
from service.intake import Context, Intake
from service.store import CommentStore, now_iso
from service.worker import ScoringWorker, WorkerSettings
from tests.roundtrips import counting


def classifier_speed(model: classifier.Model, single_calls: int, batch_size: int) -> dict[str, float]:
    """Median and p99 of one score() call; comments per second in batches of 64."""
    comments = texts(max(single_calls, batch_size))
    timings = []
    for comment in comments[:single_calls]:
        started = time.perf_counter()
        model.score(comment)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    started = time.perf_counter()
    for i in range(0, batch_size, 64):
        model.score_many(comments[i:i + 64])
    batch_rate = batch_size / (time.perf_counter() - started)
    return {"single_p50_ms": round(statistics.median(timings), 2),
            "single_p99_ms": round(timings[int(len(timings) * 0.99) - 1], 2),
            "batch_per_s": round(batch_rate, 1)}


def _store(url: str, prefix: str) -> tuple[CommentStore, Intake]:
    client = redis.Redis.from_url(url, decode_responses=True)
    store = CommentStore(client, prefix)
    return store, Intake(store, Guard(client, store.keys, "bench", GuardSettings(flood_seconds=0)), "bench")


def submit_direct(intake: Intake, comment: dict[str, Any], checks: bool = False) -> str:
    """One submission through the intake, as a view makes it, without HTTP."""
    email = f"{uuid.uuid4().hex[:10]}@example.fr"
    prepared = intake.prepare({**comment, "email": email}, "fr", "api", Context(ip="198.18.0.1"), checks=checks)
    return intake.receive(prepared).comment_id


def redis_cost(url: str, n: int) -> dict[str, float]:
    """Round trips per accepted comment (counted on the socket), bytes of Redis memory and microseconds of
    Redis server time per comment, and the server time of the durable floor's one append."""
    from service import create_app

    prefix = f"cost{uuid.uuid4().hex[:6]}"
    app = create_app({"REDIS_URL": url, "REDIS_PREFIX": prefix, "SECRET_KEY": "bench", "FLOOD_SECONDS": 0.0,
                      "RATE_BURST": 10**9, "RATE_PER_MINUTE": 1e12, "RATE_NETWORK_BURST": 10**9,
                      "RATE_NETWORK_PER_MINUTE": 1e12, "LOG_LEVEL": "WARNING"})
    client, store = app.test_client(), app.extensions["moderation.store"]
    counter = counting(store.redis)
    bodies = texts(n + 1)
    for body in bodies[:1]:  # warm-up: connection handshake and script load
        client.post("/api/v1/comments", json={**body, "email": "warm@example.fr"})
    used_before = store.redis.info("memory")["used_memory"]
    store.redis.config_resetstat()  # the bench's own server: nothing else runs on it now
    sent_before = counter.sent
    for i, body in enumerate(bodies[1:]):
        response = client.post("/api/v1/comments", json={**body, "email": f"c{i}@example.fr"})
        assert response.status_code == 202, response.get_json()
    sent = counter.sent - sent_before
    server_us = _server_usec(store.redis, "evalsha")  # a submission is one script call
    # The worker's share: writing each comment from its entry, waves and author rules, filing it.
    store.redis.config_resetstat()
    worker = ScoringWorker(app.extensions["moderation"], app.extensions["moderation.model"],
                           WorkerSettings(block_ms=10), "cost")
    worker.ensure_group()
    while worker.step():
        pass
    worker_us = _server_usec(store.redis, None)
    used = store.redis.info("memory")["used_memory"] - used_before
    # What the durable floor's one append costs the same server, for the same bodies.
    store.redis.config_resetstat()
    for body in bodies[1:]:
        append(store.redis, f"{prefix}:durable", body)
    return {"round_trips_per_comment": round(sent / n, 2), "bytes_per_comment": round(used / n),
            "server_us_per_comment": round(server_us / n, 1), "worker_server_us_per_comment": round(worker_us / n, 1),
            "server_us_per_append": round(_server_usec(store.redis, "xadd") / n, 1)}


def _server_usec(client: redis.Redis, command: str | None) -> int:
    """Microseconds the Redis server spent in ``command`` (None: in every command but INFO and CONFIG)
    since the last CONFIG RESETSTAT (a script's time includes the commands it calls)."""
    stats = client.info("commandstats")
    if command is None:
        return sum(int(v["usec"]) for k, v in stats.items() if k not in ("cmdstat_info", "cmdstat_config"))
    return int(stats.get(f"cmdstat_{command}", {}).get("usec", 0))


def request_steps(url: str, n: int) -> dict[str, float]:
    """What each step of `POST /api/v1/comments` costs, in milliseconds per request, in one process: the
    intake's prepare (validation, duplicate fold, HMACs), its receive (one script, one round trip), and the
    whole request through Flask (the rest is parsing, hooks, logging and the answer)."""
    from service import create_app
    from service.intake import Context

    prefix = f"steps{uuid.uuid4().hex[:6]}"
    app = create_app({"REDIS_URL": url, "REDIS_PREFIX": prefix, "SECRET_KEY": "bench", "FLOOD_SECONDS": 0.0,
                      "RATE_BURST": 10**9, "RATE_PER_MINUTE": 1e12, "RATE_NETWORK_BURST": 10**9,
                      "RATE_NETWORK_PER_MINUTE": 1e12, "DUPLICATE_DAYS": 0, "LOG_LEVEL": "WARNING"})
    intake, client = app.extensions["moderation"].intake, app.test_client()
    bodies = [{**b, "email": f"s{i}@example.fr"} for i, b in enumerate(texts(n + 20))]
    for body in bodies[:20]:  # warm-up
        client.post("/api/v1/comments", json=body)
    context = Context("198.18.0.7", "bench", None, "fr")

    def clock(step: Any) -> float:
        started = time.process_time()
        for body in bodies[20:]:
            step(body)
        return (time.process_time() - started) * 1000 / n

    prepared = [intake.prepare(b, "fr", "api", context) for b in bodies[20:]]
    receive_iter = iter(prepared)
    out = {"prepare_ms": clock(lambda b: intake.prepare(b, "fr", "api", context)),
           "receive_ms": clock(lambda b: intake.receive(next(receive_iter))),
           "request_ms": clock(lambda b: client.post("/api/v1/comments", json=b))}
    out["flask_and_rest_ms"] = out["request_ms"] - out["prepare_ms"] - out["receive_ms"]
    app.extensions["moderation.store"].redis.close()
    return {k: round(v, 3) for k, v in out.items()}


def _worker_procs(url: str, prefix: str, count: int) -> list[subprocess.Popen[bytes]]:
    env = {"REDIS_URL": url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_LOG_LEVEL": "WARNING",
           "MODERATION_WORKER_BLOCK_MS": "100"}
    import os

    return [subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--name", f"b{i}"],
                             env={**os.environ, **env}) for i in range(count)]


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=30)


def wait_until_filed(client: redis.Redis, stream: str, timeout: float, interval: float) -> int:
    """Poll until the scoring workers have filed every comment of the scoring ``stream`` (a filed comment's
    entry is deleted), or ``timeout`` seconds pass; returns how many are still waiting."""
    deadline = time.monotonic() + timeout
    while (left := client.xlen(stream)) and time.monotonic() < deadline:
        time.sleep(interval)
    return int(left)


def worker_throughput(url: str, n: int, workers: int) -> float:
    """Comments per second from the stream into the review queue, with ``workers`` processes."""
    prefix = f"wt{uuid.uuid4().hex[:6]}"
    store, intake = _store(url, prefix)
    for comment in texts(n, seed=workers):
        submit_direct(intake, comment)
    procs = _worker_procs(url, prefix, workers)
    try:
        deadline = time.monotonic() + 120
        while store.redis.xlen(store.keys.incoming()) == n and time.monotonic() < deadline:
            time.sleep(0.005)  # workers loading their model
        started = time.monotonic()
        wait_until_filed(store.redis, store.keys.incoming(), deadline - started, 0.01)
        return round(n / (time.monotonic() - started), 1)
    finally:
        _stop(procs)
        store.redis.close()


def lag_at_rate(url: str, rate: float, seconds: float) -> dict[str, float]:
    """Submission-to-queue lag while comments arrive at a steady ``rate`` per second (one worker)."""
    prefix = f"lag{uuid.uuid4().hex[:6]}"
    store, intake = _store(url, prefix)
    procs = _worker_procs(url, prefix, 1)
    time.sleep(3)  # model loaded
    comments = texts(int(rate * seconds))
    try:
        started = time.monotonic()
        for i, comment in enumerate(comments):
            wait = started + i / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            submit_direct(intake, comment)
        achieved = len(comments) / (time.monotonic() - started)
        wait_until_filed(store.redis, store.keys.incoming(), 60, 0.05)
    finally:
        _stop(procs)
    received, filed = {}, {}
    for _, entry in store.redis.xrange(store.keys.audit()):
        stamp = time.mktime(time.strptime(entry["at"][:19], "%Y-%m-%dT%H:%M:%S")) + float("0" + entry["at"][19:-1])
        (received if entry["to"] == "received" else filed)[entry["comment_id"]] = stamp
    lags = sorted(filed[c] - received[c] for c in received if c in filed)
    store.redis.close()
    p50, p99 = lags[len(lags) // 2], lags[int(len(lags) * .99) - 1]
    return {"offered_per_s": rate, "achieved_per_s": round(achieved, 1), "filed": len(lags),
            "lag_p50_ms": round(p50 * 1000, 1), "lag_p99_ms": round(p99 * 1000, 1)}


def seed_pending(url: str, prefix: str, n: int, start: int = 0) -> None:
    """Write ``n`` scored, pending comments straight into the store's layout (fast, pipelined)."""
    store, _ = _store(url, prefix)
    k, pipe = store.keys, store.redis.pipeline(transaction=False)
    base_us = time.time_ns() // 1000
    for i in range(start, start + n):
        comment_id = f"{i:032x}"
        created, risk, post = base_us + i, (i * 7919 % 1000) / 1000, f"article-{i % 50}"
        pipe.hset(k.comment(comment_id), mapping={
            "id": comment_id, "post_id": post, "author": "Léa", "email": f"{i}@example.fr", "status": "pending",
            "content": "Un commentaire en attente de modération.", "created_us": created, "created_at": now_iso(),
            "risk": risk, "scores": '{"spam": 0.1, "toxicity": 0.2}', "reasons": "[]", "signals": "[]"})
        for key, score in ((k.by_time("pending"), created), (k.by_risk("pending"), risk),
                           (k.post_by_time(post, "pending"), created), (k.post_by_risk(post, "pending"), risk)):
            pipe.zadd(key, {comment_id: score})
        if i % 2000 == 0:
            pipe.execute()
    pipe.execute()
    store.redis.close()
