"""The framework's ceiling: a minimal Flask app answering fixed JSON, run on the same gunicorn settings."""

from __future__ import annotations

from flask import Flask

RECEIPT = {"id": "0" * 32, "status": "received", "message": "Votre commentaire est en attente de modération."}
PAGE = {"items": [], "next_cursor": None}


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

    return app
