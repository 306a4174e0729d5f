"""Gunicorn hooks (``--config python:service.gunicorn_conf``)."""

from __future__ import annotations

import os
from typing import Any

from gevent import monkey

# The gevent worker class serves each connection in a greenlet, so a slow client holds a
# greenlet, not a whole process. Patching here, before --preload imports the app, means every
# module the app loads sees cooperative sockets and locks from the start.
monkey.patch_all()


def child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges from the shared metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
