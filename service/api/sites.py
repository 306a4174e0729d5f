"""A site's plugin (the WordPress plugin): submit that site's comments, send its admins' decisions, and
catch up on ours. A site credential (``moderation site create NAME``) reaches only its own site's comments.

The blog has already accepted the comment, so nothing here refuses it for flood, rate or duplicate: it
is held on the blog until a decision comes back, and a retry of the same blog comment (same external id)
gets the first answer again, never a second comment.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request
from marshmallow import ValidationError

from service import metrics
from service.antiabuse import Refused
from service.api.comments import refusal
from service.auth import site_required
from service.errors import APIError, NotFound, ValidationFailed
from service.extensions import get_intake, get_store
from service.i18n import language, t
from service.intake import Context, Invalid
from service.keys import Status
from service.schemas import SITE_FIELDS, SiteDecision, site_fields_schema
from service.store import BadCursor, now_iso

bp = Blueprint("sites", __name__, url_prefix="/api/v1/site")

ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}
DECISIONS_PAGE_MAX = 500


@bp.get("")
@site_required
def whoami() -> Response:
    """Which site this credential is for: the plugin's "test the connection"."""
    return jsonify({"site": g.site})


@bp.post("/comments")
@site_required
def submit() -> tuple[Response, int]:
    """Hold one of the site's comments for moderation, once per external id (a retry gets 200 and the same id)."""
    lang = language()
    payload = request.get_json(force=True, silent=True)
    if not isinstance(payload, dict):
        raise APIError(t("malformed", lang))
    try:
        extra = site_fields_schema(lang).load({k: payload.pop(k) for k in SITE_FIELDS if k in payload})
    except ValidationError as exc:
        raise ValidationFailed(t("invalid_fields", lang), errors=exc.normalized_messages()) from None
    ip = str(extra["ip"]) if extra["ip"] else None
    intake = get_intake()
    try:
        prepared = intake.prepare(payload, lang, "site", Context(ip, extra["user_agent"]),
                                  optional=("author", "email"), checks=False, reference=(g.site, extra["external_id"]))
    except Invalid as exc:
        raise ValidationFailed(t("invalid_fields", lang), errors=exc.errors) from None
    try:
        receipt = intake.receive(prepared, orphans=True)
    except Refused as refused:
        raise refusal(refused, lang) from None
    replayed = receipt.replayed is not None
    metrics.SUBMISSIONS.labels("replayed" if replayed else "received").inc()
    response = jsonify({"id": receipt.comment_id, "status": "received", "message": t("received", lang)})
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response, 200 if replayed else 202


@bp.post("/comments/<comment_id>/decision")
@site_required
def decide(comment_id: str) -> Response:
    """A decision made in the site's admin: it wins over ours (the blog is its owner's), and deciding what a
    comment already is changes nothing and announces nothing, so the two sides never echo each other."""
    try:
        body = SiteDecision().load(request.get_json(force=True, silent=True) or {})
    except ValidationError as exc:
        raise ValidationFailed(t("invalid_decision"), errors=exc.normalized_messages()) from None
    store = get_store()
    comment = store.get(comment_id)
    if comment is None or comment.get("site") != g.site:
        raise NotFound(t("no_comment"))
    to = ACTIONS[body["action"]]
    changed = False
    if comment["status"] != to:
        who = f"{g.site}/{body['by']}" if body["by"] else g.site
        outcome = store.transition(comment_id, tuple(s for s in Status if s != to), to, actor=f"site:{who}",
                                   reason=f"{body['action']} in the site's admin",
                                   fields={"decided_by": who, "decided_at": now_iso()}, label=("site", None))
        changed = outcome.result == "ok"
        if changed:
            metrics.DECISIONS.labels(body["action"]).inc()
    return jsonify({"id": comment_id, "external_id": comment.get("external_id"), "status": to.value,
                    "changed": changed})


@bp.get("/decisions")
@site_required
def decisions() -> Response:
    """Decisions on this site's comments after ``since`` (the last page's ``next_cursor``), oldest first:
    what the plugin asks for when a webhook may have been missed."""
    try:
        limit = min(max(int(request.args.get("limit", 100)), 1), DECISIONS_PAGE_MAX)
    except ValueError:
        raise ValidationFailed(t("invalid_query"), errors={"limit": [t("not_number")]}) from None
    try:
        items, cursor = get_store().site_decisions(g.site, request.args.get("since", ""), limit)
    except BadCursor:
        raise ValidationFailed(t("invalid_query"), errors={"since": [t("unknown_cursor")]}) from None
    return jsonify({"items": items, "next_cursor": cursor})
