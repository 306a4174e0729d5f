"""Gunicorn hooks (``--config python:service.gunicorn_conf``)."""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from gevent import monkey
from gunicorn.glogging import Logger

# The gevent worker class serves each connection in a greenlet, so a slow client holds a
# greenlet, not a whole process. Patching here, before --preload imports the app, means every
# module the app loads sees cooperative sockets and locks from the start.
monkey.patch_all()


def post_worker_init(worker: Any) -> None:
    """Each worker process follows the registry's active model version (a thread of its own)."""
    app = worker.wsgi
    watcher = getattr(app, "extensions", {}).get("moderation.watcher")
    if watcher is not None and watcher.every > 0:
        watcher.start()


def child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges from the shared metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# Client addresses as gunicorn writes them ("Invalid request from ip=203.0.113.7: ..."); bounded, so linear.
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")


class _NoAddresses(logging.Filter):
    """Replace IP addresses in a log line by ``[address]``; the line that names the bound socket is kept whole."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Listening at"):
            return True
        cleaned = _IPV6.sub("[address]", _IPV4.sub("[address]", message))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class PrivateLogger(Logger):
    """gunicorn's error log without client addresses: no IP appears in any log of the service."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(_NoAddresses())


logger_class = PrivateLogger
