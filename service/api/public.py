"""Public read API: approved comments only, never personal data or moderation details."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from service.errors import ValidationFailed
from service.extensions import get_store
from service.i18n import t
from service.keys import Status
from service.schemas import PublicComment, view
from service.store import BadCursor

bp = Blueprint("public", __name__, url_prefix="/api/v1")


@bp.get("/posts/<post_id>/comments")
def list_comments(post_id: str) -> Response:
    """Approved comments of a post, oldest first, by cursor pages."""
    try:
        limit = max(1, min(int(request.args.get("limit", 100)), 500))
    except ValueError:
        raise ValidationFailed(t("invalid_query"), errors={"limit": [t("not_integer")]}) from None
    try:
        items, cursor = get_store().page(Status.APPROVED, "oldest", post_id, request.args.get("cursor"), limit)
    except BadCursor:
        raise ValidationFailed(t("invalid_query"), errors={"cursor": [t("unknown_cursor")]}) from None
    return jsonify({"post_id": post_id, "items": [view(PublicComment, c) for c in items], "next_cursor": cursor})
