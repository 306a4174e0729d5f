"""Redis clients with bounded timeouts and a short back-off retry, from one URL."""

from __future__ import annotations

from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry


def connect(url: str | None, timeout: float = 2.0) -> redis.Redis:
    """A client for ``url``; a request never waits on Redis much longer than ``timeout``."""
    if not url:
        raise RuntimeError("no Redis configured: set REDIS_URL, or start the service with `moderation serve`")
    options: dict[str, Any] = {
        "decode_responses": True,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=1),
        "retry_on_error": [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError],
        "health_check_interval": 15,
    }
    return redis.Redis.from_url(url, **options)
