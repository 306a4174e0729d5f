"""Count Redis round trips: every packed command (or pipeline) sent on a connection is one."""

from __future__ import annotations

from typing import Any

import redis


class Counter:
    sent = 0


def counting(client: redis.Redis) -> type[Counter]:
    """Make ``client`` count what it sends from now on; returns the counter."""
    pool = client.connection_pool
    base = pool.connection_class

    class CountingConnection(base):  # type: ignore[valid-type,misc]
        def send_packed_command(self, command: Any, check_health: bool = True) -> None:
            Counter.sent += 1
            super().send_packed_command(command, check_health)

    pool.disconnect()
    pool.connection_class = CountingConnection
    pool.reset()
    return Counter
