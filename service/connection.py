"""Redis clients with bounded timeouts and a short back-off retry, from one URL.

``REDIS_URL`` may name a single server (``redis://``, ``rediss://``, ``unix://``), a Sentinel
set (``redis+sentinel://[:password@]host:26379,host2:26379/mymaster/0``, the client follows
failovers) or a Redis Cluster (``redis+cluster://host:port``, or any URL with
``MODERATION_REDIS_CLUSTER=1``).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry
from redis.sentinel import Sentinel


def _options(timeout: float) -> dict[str, Any]:
    return {
        "decode_responses": True,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=1),
        "retry_on_error": [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError],
    }


def sentinel_client(url: str, timeout: float) -> redis.Redis:
    """The current master of a Sentinel-monitored set; reconnects to the new master after a failover."""
    parts = urlsplit(url)
    hosts = []
    for host in parts.netloc.rpartition("@")[2].split(","):
        name, _, port = host.rpartition(":")
        hosts.append((name or host, int(port or 26379)))
    path = [p for p in parts.path.split("/") if p]
    if not path:
        raise ValueError("redis+sentinel:// URLs name the master: redis+sentinel://host:26379/mymaster/0")
    password = unquote(parts.password) if parts.password else None
    sentinel = Sentinel(hosts, socket_timeout=timeout, socket_connect_timeout=timeout)
    options = _options(timeout)
    return sentinel.master_for(path[0], db=int(path[1]) if len(path) > 1 else 0, password=password, **options)


def connect(url: str | None, timeout: float = 2.0) -> redis.Redis:
    """A client for ``url``; a request never waits on Redis much longer than ``timeout``."""
    if not url:
        raise RuntimeError("no Redis configured: set REDIS_URL, or start the service with `moderation serve`")
    if url.startswith("redis+sentinel://"):
        return sentinel_client(url, timeout)
    if url.startswith("redis+cluster://") or os.environ.get("MODERATION_REDIS_CLUSTER") == "1":
        options = {k: v for k, v in _options(timeout).items() if k != "retry_on_error"}
        return RedisCluster.from_url(url.replace("redis+cluster://", "redis://", 1), **options)  # type: ignore[return-value]
    return redis.Redis.from_url(url, health_check_interval=15, **_options(timeout))
