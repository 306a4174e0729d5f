"""Slow clients: many connections that trickle their headers or body, while others are served.

Half the connections send a request line and then one header byte every ``interval`` seconds;
the other half send complete headers with a ``Content-Length`` and then the body a byte at a
time. Meanwhile ordinary clients call ``GET /healthz`` and ``POST /api/v1/comments`` and every
answer's latency is recorded. Traffic goes to the loopback address only, for a bounded time.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import threading
import time
import uuid
from dataclasses import dataclass

import requests


@dataclass(frozen=True)
class SlowClientResult:
    slow_connections: int  # opened by the slow clients
    held: int  # still open when the measurement ended
    requests: int
    failures: int  # errors, time-outs and 5xx among the ordinary clients' requests
    p50_ms: float
    p99_ms: float
    max_ms: float


async def _trickle(host: str, port: int, index: int, interval: float, stop: asyncio.Event,
                   opened: list[int], open_now: list[int]) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        return
    opened[0] += 1
    open_now[0] += 1
    try:
        if index % 2:  # headers complete, then a body that never finishes
            body = b'{"post_id": "slow", "author": "S", "email": "s@example.fr", "content": "' + b"x" * 500
            writer.write(b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % (len(body) + 10))
            rest = iter(body)
        else:  # a request line, then headers that never end
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            rest = iter(b"X-Slow: " + b"a" * 10_000)
        await writer.drain()
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                pass
            if reader.at_eof():
                break
            writer.write(bytes([next(rest, 97)]))
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        open_now[0] -= 1
        writer.close()


def _slow_clients(host: str, port: int, n: int, interval: float, stop: threading.Event,
                  ready: threading.Event, counts: dict[str, int]) -> None:
    async def main() -> None:
        done = asyncio.Event()
        opened, open_now = [0], [0]
        tasks = [asyncio.create_task(_trickle(host, port, i, interval, done, opened, open_now)) for i in range(n)]
        while opened[0] + sum(t.done() for t in tasks) < n:
            await asyncio.sleep(0.05)
        await asyncio.sleep(interval)  # every connection has trickled at least once
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        counts.update(opened=opened[0], held=open_now[0])
        done.set()
        await asyncio.gather(*tasks)

    asyncio.run(main())


def measure(base: str, slow: int = 200, seconds: float = 10.0, interval: float = 2.0,
            timeout: float = 10.0) -> SlowClientResult:
    """Hold ``slow`` trickling connections open while /healthz and submissions are timed for ``seconds``."""
    host, port = base.removeprefix("http://").split(":")
    stop, ready, counts = threading.Event(), threading.Event(), {"opened": 0, "held": 0}
    trickler = threading.Thread(target=_slow_clients, args=(host, int(port), slow, interval, stop, ready, counts))
    trickler.start()
    latencies: list[float] = []
    failures = 0
    try:
        if not ready.wait(60):
            raise RuntimeError("the slow connections could not be opened")
        deadline = time.monotonic() + seconds
        i = 0
        while time.monotonic() < deadline:
            i += 1
            start = time.perf_counter()
            try:
                if i % 2:
                    response = requests.get(f"{base}/healthz", timeout=timeout)
                else:
                    body = {"post_id": f"slowloris-{i}", "author": "Camille", "content": f"Avis numéro {i}.",
                            "email": f"reader-{uuid.uuid4().hex[:8]}@example.fr"}
                    # A reader of its own (honoured where the service trusts one proxy), so no flood rule applies.
                    reader = f"198.18.{i // 250 % 250}.{i % 250 + 1}"
                    response = requests.post(f"{base}/api/v1/comments", data=json.dumps(body), timeout=timeout,
                                             headers={"Content-Type": "application/json", "X-Forwarded-For": reader})
                failures += response.status_code >= 500
            except requests.RequestException:
                failures += 1
            latencies.append((time.perf_counter() - start) * 1000)
            time.sleep(0.02)
    finally:
        stop.set()
        trickler.join()
    ordered = sorted(latencies)
    return SlowClientResult(counts["opened"], counts["held"], len(latencies), failures,
                            round(statistics.median(ordered), 1), round(ordered[int(0.99 * (len(ordered) - 1))], 1),
                            round(ordered[-1], 1))
