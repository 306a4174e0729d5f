"""The blog frontend's side: submit a comment (JSON or a WordPress-style form), get a form token."""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
from flask import Blueprint, Response, current_app, jsonify, redirect, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, UnsupportedMediaType
from werkzeug.wrappers import Response as BaseResponse

from service import formtoken, metrics, signals
from service.antiabuse import Refused
from service.cors import origin_allowed
from service.errors import APIError, Conflict, TooManyRequests, ValidationFailed
from service.extensions import get_guard, get_signal_settings, get_store, get_words
from service.i18n import language, t
from service.schemas import form_to_submission, validate_submission

bp = Blueprint("comments", __name__, url_prefix="/api/v1")

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
FORM_TOKEN_FIELD = "form_token"


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


def request_context() -> dict[str, str | None]:
    """What the request itself tells about the commenter, recorded for moderators only."""
    return {
        "ip": request.remote_addr,
        "user_agent": request.headers.get("User-Agent"),
        "referrer": request.headers.get("Referer"),
        "accept_language": request.headers.get("Accept-Language"),
    }


@bp.post("/comments")
def submit() -> tuple[BaseResponse, int]:
    """Submit, once: a retry with the same Idempotency-Key within 24 h gets the first answer again."""
    target = browser_return_url()
    try:
        answer = _idempotent_submit()
    except Exception as exc:
        metrics.SUBMISSIONS.labels(_result(exc)).inc()
        if target and isinstance(exc, APIError):  # a plain HTML form: back to the post, with the errors
            return redirect(with_query(target, comment_status=exc.code, comment_errors=json.dumps(
                exc.errors, ensure_ascii=False)), 303), 303
        raise
    metrics.SUBMISSIONS.labels("replayed" if answer[0].headers.get("Idempotent-Replayed") else "received").inc()
    if target:
        comment_id = answer[0].get_json()["id"]
        return redirect(with_query(target, comment_status="awaiting_moderation", comment_id=comment_id), 303), 303
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


@dataclass(frozen=True)
class Submission:
    """A validated submission, before any Redis access."""

    lang: str
    data: dict[str, Any]
    context: dict[str, str | None]
    signals: list[dict[str, Any]]


def _idempotent_submit() -> tuple[Response, int]:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return _submit(_validated(), None)
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise ValidationFailed(t("invalid_fields"), errors={"Idempotency-Key": ["1 to 255 printable characters."]})
    key_hash = hashlib.sha256(key.encode()).hexdigest()
    fingerprint = hashlib.sha256(request.get_data(cache=True)).hexdigest()
    submission = _validated()
    post = submission.data["post_id"]  # the key is kept in the post's shard, beside the comment
    store = get_store()
    existing = store.claim_idempotency(key_hash, post)
    deadline = time.monotonic() + 5
    while existing == "pending" and time.monotonic() < deadline:  # a concurrent retry is being handled
        time.sleep(0.05)
        existing = store.idempotent_answer(key_hash, post)
    if existing == "pending":
        raise Conflict("A request with this Idempotency-Key is still in progress.")
    if existing:
        first = json.loads(existing)
        if first["fingerprint"] != fingerprint:
            raise ValidationFailed(t("invalid_fields"), errors={
                "Idempotency-Key": ["This key was already used with a different request body."]})
        response = jsonify(first["body"])
        response.headers["Idempotent-Replayed"] = "true"
        return response, first["status"]
    try:
        return _submit(submission, (key_hash, fingerprint))
    except BaseException:
        store.release_idempotency(key_hash, post)
        raise


def _validated() -> Submission:
    """Parse and validate the request, and compute the signals that need no Redis."""
    lang = language()
    payload, honeypot, token = read_payload(lang)
    try:
        data = validate_submission(payload, lang)
    except ValidationError as exc:
        raise ValidationFailed(t("invalid_fields", lang), errors=exc.normalized_messages()) from None
    context = request_context()
    try:
        found = signals.collect(get_signal_settings(), get_words(), data, context["ip"] or "", honeypot, token)
    except formtoken.ForgedToken:
        raise ValidationFailed(t("invalid_fields", lang), errors={FORM_TOKEN_FIELD: [t("forged", lang)]}) from None
    return Submission(lang, data, context, found)


def _submit(submission: Submission, idempotency: tuple[str, str] | None) -> tuple[Response, int]:
    """Check the reply's parent and abuse, store durably with status ``received``, enqueue for scoring, answer 202."""
    lang, data = submission.lang, submission.data
    store, guard = get_store(), get_guard()
    if data["parent_id"] and not store.is_published_on(data["parent_id"], data["post_id"]):
        raise ValidationFailed(t("invalid_fields", lang), errors={"parent_id": [t("parent", lang)]})
    ip = submission.context["ip"] or ""
    comment_id = store.new_id(data["post_id"])
    record = {**data, **submission.context, "signals": submission.signals, "email_hash": guard.digest(data["email"])}
    body = {"id": comment_id, "status": "received", "message": t("received", lang)}
    remembered = None
    if idempotency:
        remembered = (idempotency[0], json.dumps({"fingerprint": idempotency[1], "status": 202, "body": body}))
    admission = guard.admission(data["post_id"], data["email"], ip, data["content"])
    try:
        store.submit(record, comment_id, admission, remembered)  # one Redis round trip (two on a Cluster)
    except Refused as refused:
        if refused.kind == "duplicate":
            raise Conflict(t("duplicate", lang), errors={"content": [t("duplicate", lang)]}) from None
        seconds = max(1, math.ceil(refused.retry_after))
        raise TooManyRequests(t("flood", lang, seconds=seconds), headers={"Retry-After": str(seconds)}) from None
    except redis.exceptions.ConnectionError:
        # The script may have run before the connection broke: let a retry through.
        guard.release(data["post_id"], data["email"], ip, data["content"])
        raise
    return jsonify(body), 202


@bp.get("/form-token")
def form_token() -> Response:
    """A signed time-trap token for a comment form on ``post_id``, and the field names to use."""
    post_id = request.args.get("post_id", "").strip()
    if not post_id or len(post_id) > 200:
        raise ValidationFailed("Invalid query.", errors={"post_id": [t("required")]})
    cfg = current_app.config
    return jsonify({"token": formtoken.issue(get_signal_settings().secret, post_id), "field": FORM_TOKEN_FIELD,
                    "honeypot_field": cfg["HONEYPOT_FIELD"], "min_seconds": cfg["FORM_TOKEN_MIN_SECONDS"],
                    "max_seconds": cfg["FORM_TOKEN_MAX_SECONDS"]})
