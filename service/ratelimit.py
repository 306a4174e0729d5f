"""A fixed-window counter in Redis: brute force against tokens is limited per client address."""

from __future__ import annotations

import hashlib
import time

import redis

WINDOW_SECONDS = 300
MAX_ATTEMPTS = 20


def too_many_attempts(client: redis.Redis, prefix: str, address: str, what: str = "login",
                      limit: int = MAX_ATTEMPTS) -> bool:
    """Count one failed attempt from ``address``; True once it exceeds ``limit`` in the window."""
    window = int(time.time() // WINDOW_SECONDS)
    # The address is hashed: no IP is kept in key names.
    key = f"{prefix}:ratelimit:{what}:{hashlib.sha256(address.encode()).hexdigest()[:16]}:{window}"
    pipe = client.pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, WINDOW_SECONDS)
    count, _ = pipe.execute()
    return int(count) > limit
