"""Moderator API: the review queue, one comment in full, and decisions."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request
from marshmallow import ValidationError

from service import metrics
from service.auth import moderator_required
from service.errors import Conflict, NotFound, ValidationFailed
from service.extensions import get_store
from service.i18n import t
from service.keys import Status
from service.queue import Filters
from service.queue import page as queue_page
from service.schemas import Decision, ModeratorComment, QueueQuery, view
from service.store import BadCursor, now_iso

bp = Blueprint("moderation", __name__, url_prefix="/api/v1/moderation")

ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}
WAITING = (Status.RECEIVED, Status.PENDING)
_detail = ModeratorComment()


@bp.get("/queue")
@moderator_required
def queue() -> Response:
    """A page of the queue: filter by status, post, reason, language and author/email search; sort oldest, newest
    or riskiest first. Reason, language and search read at most a bounded number of comments per page."""
    try:
        q = QueueQuery().load(request.args)
    except ValidationError as exc:
        raise ValidationFailed(t("invalid_query"), errors=exc.normalized_messages()) from None
    limit = min(q["limit"], current_app.config["QUEUE_PAGE_MAX"])
    filters = Filters(Status(q["status"]), q["sort"], q["post"], q["reason"], q["language"], q["q"].strip())
    try:
        items, cursor = queue_page(get_store(), filters, q["cursor"], limit)
    except BadCursor:
        raise ValidationFailed(t("invalid_query"), errors={"cursor": [t("unknown_cursor")]}) from None
    return jsonify({"items": [view(ModeratorComment, c) for c in items], "next_cursor": cursor,
                    "counts": get_store().counts()})


@bp.get("/comments/<comment_id>")
@moderator_required
def detail(comment_id: str) -> Response:
    """Everything about one comment, personal data and scores included."""
    comment = get_store().get(comment_id)
    if comment is None:
        raise NotFound(t("no_comment"))
    return jsonify(_detail.dump(comment))


@bp.post("/comments/<comment_id>/decision")
@moderator_required
def decide(comment_id: str) -> Response:
    """Approve, reject or mark as spam; a comment already decided by someone else gets 409."""
    try:
        body = Decision().load(request.get_json(force=True, silent=True) or {})
    except ValidationError as exc:
        raise ValidationFailed(t("invalid_decision"), errors=exc.normalized_messages()) from None
    store = get_store()
    to = ACTIONS[body["action"]]
    fields = {"decided_by": g.moderator, "decided_at": now_iso(), "note": body["note"]}
    allowed = (Status(body["from_status"]),) if body["from_status"] else WAITING
    why = body["reason"] if body["action"] == "reject" else None
    outcome = store.transition(comment_id, allowed, to, actor=g.moderator,
                               reason=body["action"] + (f" ({why})" if why else "")
                               + (f": {body['note']}" if body["note"] else ""),
                               fields={k: v for k, v in {**fields, "reject_reason": why}.items() if v is not None},
                               label=("moderation", why))
    if outcome.result == "missing":
        raise NotFound(t("no_comment"))
    if outcome.result == "ok":
        metrics.DECISIONS.labels(body["action"]).inc()
    if outcome.result == "conflict":
        raise Conflict(t("already_decided", status=t(f"state_{outcome.previous}")),
                       errors={"status": [outcome.previous]})
    return jsonify(_detail.dump(store.get(comment_id)))
