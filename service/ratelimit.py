"""Failed credential checks, counted in fixed windows per client address and per credential tried.

Only failures count: a moderator who signs in often, or many moderators behind one proxy, are
never refused for succeeding. A valid credential always works, even from an address over the
limit: tokens carry 256 random bits, so the limit is not what stops guessing; it keeps floods of
invalid attempts cheap (429 without a look-up past the limit) and cannot be used to lock a
moderator out.
"""

from __future__ import annotations

import hashlib
import time

import redis

from service.keys import Keys

WINDOW_SECONDS = 300
MAX_FAILURES = 20


def _subjects(address: str, credential: str) -> list[str]:
    # Hashed: no IP and no credential is kept in key names.
    return [hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:16]
            for kind, value in (("address", address), ("credential", credential)) if value]


def record_failure(client: redis.Redis, keys: Keys, what: str, address: str, credential: str,
                   limit: int = MAX_FAILURES) -> bool:
    """Count one failed attempt for the address and for the credential tried; True once either is over ``limit``."""
    window = int(time.time() // WINDOW_SECONDS)
    pipe = client.pipeline(transaction=False)
    for subject in _subjects(address, credential):
        key = keys.failures(what, subject, window)
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS)
    counts = pipe.execute()[::2]
    return any(int(count) > limit for count in counts)
