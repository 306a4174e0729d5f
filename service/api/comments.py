"""The blog frontend's side: submit a comment (JSON or a WordPress-style form), get a form token."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from werkzeug.exceptions import HTTPException, UnsupportedMediaType
from werkzeug.wrappers import Response as BaseResponse

from service import formtoken, metrics
from service.antiabuse import Refused
from service.cors import origin_allowed
from service.errors import APIError, Conflict, TooManyRequests, ValidationFailed
from service.extensions import get_intake
from service.i18n import language, t
from service.intake import FORM_TOKEN_FIELD, Context, Invalid
from service.schemas import form_to_submission

bp = Blueprint("comments", __name__, url_prefix="/api/v1")

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def read_payload(lang: str) -> tuple[Any, str | None, str | None]:
    """(submission, honeypot value, form token) from JSON or a form; 415 otherwise, 400 if malformed."""
    honeypot_field = current_app.config["HONEYPOT_FIELD"]
    if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
        try:
            payload = json.loads(request.get_data(cache=True))
            json.dumps(payload, ensure_ascii=False).encode("utf-8")  # lone surrogates ("\ud800") cannot be stored
        except (ValueError, RecursionError) as exc:
            raise APIError(t("malformed", lang)) from exc
        if isinstance(payload, dict):
            return payload, _text(payload.pop(honeypot_field, None)), _text(payload.pop(FORM_TOKEN_FIELD, None))
        return payload, None, None
    if request.mimetype in FORM_TYPES:
        form = request.form
        return form_to_submission(form), form.get(honeypot_field), form.get(FORM_TOKEN_FIELD)
    raise UnsupportedMediaType()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else (json.dumps(value) if value not in (None, "") else None)


def request_context() -> Context:
    """What the request itself tells about the commenter, recorded for moderators only."""
    headers = request.headers
    return Context(request.remote_addr, headers.get("User-Agent"), headers.get("Referer"),
                   headers.get("Accept-Language"))


@bp.post("/comments")
def submit() -> tuple[BaseResponse, int]:
    """Submit, once: a retry with the same Idempotency-Key within 24 h gets the first answer again."""
    target = browser_return_url()
    try:
        answer = _idempotent_submit()
    except Exception as exc:
        metrics.SUBMISSIONS.labels(_result(exc)).inc()
        if target and isinstance(exc, APIError):  # a plain HTML form: back to the post, with the errors
            return redirect(with_query(target, comment_status=exc.code, comment_message=exc.message,
                                       comment_errors=json.dumps(exc.errors, ensure_ascii=False)), 303), 303
        raise
    metrics.SUBMISSIONS.labels("replayed" if answer[0].headers.get("Idempotent-Replayed") else "received").inc()
    if target:
        comment_id = answer[0].get_json()["id"]
        return redirect(with_query(target, comment_status="awaiting_moderation", comment_id=comment_id,
                                   comment_message=answer[0].get_json()["message"]), 303), 303
    return answer


def browser_return_url() -> str | None:
    """Where a browser's plain form post goes back to (``redirect_to`` or the Referer), if allowed.

    Only for form posts that prefer HTML; API clients keep getting JSON. Only configured origins:
    never an open redirect.
    """
    if request.mimetype not in FORM_TYPES:
        return None
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html":
        return None
    target = request.form.get("redirect_to") or request.headers.get("Referer")
    return target if origin_allowed(target) else None


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query string (existing ones replaced), fragment kept."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode(query + list(params.items()))))


def _result(exc: Exception) -> str:
    """How a refused submission is counted."""
    if isinstance(exc, Conflict):
        return "duplicate"
    if isinstance(exc, TooManyRequests):
        return "flood"
    if isinstance(exc, (APIError, HTTPException)) and getattr(exc, "status", getattr(exc, "code", 500)) < 500:
        return "invalid"
    return "error"


def _idempotent_submit() -> tuple[Response, int]:
    """Validate, then the one write; a retry with the same Idempotency-Key gets the first answer back."""
    key = request.headers.get("Idempotency-Key")
    idempotent = None
    if key is not None:
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise ValidationFailed(t("invalid_fields"), errors={"Idempotency-Key": [t("idempotency_key")]})
        body_hash = hashlib.sha256(request.get_data(cache=True)).hexdigest()
        idempotent = (hashlib.sha256(key.encode()).hexdigest(), body_hash)
    lang = language()
    payload, honeypot, token = read_payload(lang)
    source = "form" if request.mimetype in FORM_TYPES else "api"
    try:
        prepared = get_intake().prepare(payload, lang, source, request_context(), honeypot, token)
    except Invalid as exc:
        raise ValidationFailed(t("invalid_fields", lang), errors=exc.errors) from None
    try:
        receipt = get_intake().receive(prepared, idempotent)
    except Refused as refused:
        raise refusal(refused, lang) from None
    body = {"id": receipt.comment_id, "status": "received", "message": t("received", lang)}
    response = jsonify(body)
    if receipt.replayed is not None:
        if idempotent and receipt.replayed != idempotent[1]:
            raise ValidationFailed(t("invalid_fields", lang),
                                   errors={"Idempotency-Key": [t("idempotency_reused", lang)]})
        response.headers["Idempotent-Replayed"] = "true"
    return response, 202


def refusal(refused: Refused, lang: str) -> APIError:
    """The HTTP error for a submission the store refused: 422 parent, 409 duplicate, 429 flood or rate."""
    if refused.kind == "parent":
        return ValidationFailed(t("invalid_fields", lang), errors={"parent_id": [t("parent", lang)]})
    if refused.kind == "duplicate":
        return Conflict(t("duplicate", lang), errors={"content": [t("duplicate", lang)]})
    seconds = max(1, math.ceil(refused.retry_after))
    return TooManyRequests(t("flood", lang, seconds=seconds), headers={"Retry-After": str(seconds)})


@bp.get("/form-token")
def form_token() -> Response:
    """A signed time-trap token for a comment form on ``post_id``, and the field names to use."""
    post_id = request.args.get("post_id", "").strip()
    if not post_id or len(post_id) > 200:
        raise ValidationFailed("Invalid query.", errors={"post_id": [t("required")]})
    cfg = current_app.config
    return jsonify({"token": formtoken.issue(get_intake().secret, post_id), "field": FORM_TOKEN_FIELD,
                    "honeypot_field": cfg["HONEYPOT_FIELD"], "min_seconds": cfg["FORM_TOKEN_MIN_SECONDS"],
                    "max_seconds": cfg["FORM_TOKEN_MAX_SECONDS"]})
