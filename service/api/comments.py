"""The blog frontend's side: submit a comment (JSON or a WordPress-style form)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import UnsupportedMediaType

from service.errors import APIError, ValidationFailed
from service.extensions import get_store
from service.i18n import language, t
from service.schemas import form_to_submission, validate_submission

bp = Blueprint("comments", __name__, url_prefix="/api/v1")

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def read_payload(lang: str) -> Any:
    """The request body as JSON or as a mapped form; 415 for anything else, 400 if malformed."""
    if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
        raw = request.get_data(cache=True)
        try:
            return json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise APIError(t("malformed", lang)) from exc
    if request.mimetype in FORM_TYPES:
        return form_to_submission(request.form)
    raise UnsupportedMediaType()


def request_context() -> dict[str, str | None]:
    """What the request itself tells about the commenter, recorded for moderators only."""
    return {
        "ip": request.remote_addr,
        "user_agent": request.headers.get("User-Agent"),
        "referrer": request.headers.get("Referer"),
        "accept_language": request.headers.get("Accept-Language"),
    }


@bp.post("/comments")
def submit() -> tuple[Response, int]:
    """Validate, store durably with status ``received``, enqueue for scoring, answer 202."""
    lang = language()
    try:
        data = validate_submission(read_payload(lang), lang)
    except ValidationError as exc:
        raise ValidationFailed(t("invalid_fields", lang), errors=exc.normalized_messages()) from None
    store = get_store()
    if data["parent_id"] and not store.is_published_on(data["parent_id"], data["post_id"]):
        raise ValidationFailed(t("invalid_fields", lang), errors={"parent_id": [t("parent", lang)]})
    comment_id = store.submit({**data, **request_context()})
    return jsonify({"id": comment_id, "status": "received", "message": t("received", lang)}), 202
