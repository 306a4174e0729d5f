"""The framework's ceiling: a minimal Flask app answering fixed JSON, run on the same gunicorn settings.

``POST /durable`` is the same fixed answer after the least a service that loses nothing must do:
parse the JSON body and append it to a Redis stream (``BENCH_REDIS_URL``) before answering.
"""

from __future__ import annotations

import json
import os

import redis
from flask import Flask, request

RECEIPT = {"id": "0" * 32, "status": "received", "message": "Votre commentaire est en attente de modération."}
PAGE = {"items": [], "next_cursor": None}


def append(client: redis.Redis, stream: str, body: object) -> None:
    """The durable floor's one Redis step: the body appended to a capped stream."""
    client.xadd(stream, {"body": json.dumps(body)}, maxlen=100_000, approximate=True)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/api/v1/comments")
    def submit() -> tuple[dict[str, object], int]:
        return RECEIPT, 202

    @app.get("/api/v1/posts/<post_id>/comments")
    def public(post_id: str) -> dict[str, object]:
        return PAGE

    @app.get("/api/v1/moderation/queue")
    def queue() -> dict[str, object]:
        return PAGE

    url = os.environ.get("BENCH_REDIS_URL")
    client = redis.Redis.from_url(url) if url else None

    @app.post("/durable")
    def durable() -> tuple[dict[str, object], int]:
        body = json.loads(request.get_data())
        assert client is not None, "BENCH_REDIS_URL is not set"
        append(client, "ceiling:durable", body)
        return RECEIPT, 202

    return app
