"""The review page's actions besides deciding: reply, edit, delete for good, empty spam, mark an author.

Each answers JSON (``{"result": "ok", ...}`` or ``{"result": "refused", "message": ...}`` in the page's language);
the work itself is in ``service.actions``."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, jsonify, request

from service import actions
from service.extensions import get_guard, get_intake, get_store
from service.intake import Invalid
from service.keys import Status
from service.web.views import bp, signed_in

MAX_IDS = 200


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _refused(why: str) -> Response:
    return jsonify({"result": "refused", "message": g.t[why]})


def _text(body: dict[str, Any]) -> str:
    content = body.get("content")
    if not isinstance(content, str) or not content.strip():
        abort(422, description=g.t["mm_required"])
    return content


def _comment(body: dict[str, Any]) -> dict[str, Any] | None:
    comment_id = body.get("id")
    return get_store().get(comment_id) if isinstance(comment_id, str) else None


@bp.post("/reply")
@signed_in
def reply() -> Response:
    """Publish the moderator's reply under a comment (approving it first if it was waiting)."""
    body = _body()
    try:
        new_id = actions.reply(get_store(), get_intake(), str(body.get("id", "")), _text(body), g.moderator, g.lang)
    except actions.Refused as exc:
        return _refused(exc.why)
    except Invalid as exc:
        return jsonify({"result": "refused", "message": " ".join(" ".join(map(str, v)) for v in exc.errors.values())})
    return jsonify({"result": "ok", "id": new_id, "message": g.t["replied"]})


@bp.post("/edit")
@signed_in
def edit() -> Response:
    """Change a comment's text (typically before approving it); the first original is kept and the edit audited."""
    body = _body()
    content = _text(body)
    if len(content) > 65525:
        abort(422, description=g.t["too_long"].format(max=65525))
    if not get_store().edit(str(body.get("id", "")), content, g.moderator):
        return _refused("not_filed" if _comment(body) else "no_comment")
    return jsonify({"result": "ok", "message": g.t["saved"]})


@bp.post("/delete")
@signed_in
def delete() -> Response:
    """Delete comments for good (their labels too), as the privacy erase does."""
    ids = _body().get("ids")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_IDS or not all(isinstance(i, str) for i in ids):
        abort(422, description=g.t["decisions_body"])
    store = get_store()
    erased = store.erase(ids)
    for comment_id in ids:
        store.audit(g.moderator, "erased", "deleted from the review page", comment_id)
    return jsonify({"result": "ok", "deleted": erased, "message": g.t["deleted"].format(n=erased)})


@bp.post("/empty-spam")
@signed_in
def empty_spam() -> Response:
    """Delete every comment of the spam tab for good."""
    erased = get_store().erase_all(Status.SPAM, g.moderator)
    return jsonify({"result": "ok", "deleted": erased, "message": g.t["deleted"].format(n=erased)})


@bp.post("/author")
@signed_in
def author() -> Response:
    """Hold, block or trust a comment's author, by email or network: their next comments follow the rule."""
    body = _body()
    comment = _comment(body)
    if comment is None:
        return _refused("no_comment")
    mode = str(body.get("mode", ""))
    try:
        actions.mark_author(get_guard(), comment, mode, str(body.get("by", "email")), g.moderator)
    except actions.Refused as exc:
        return _refused(exc.why)
    return jsonify({"result": "ok", "message": g.t[f"author_marked_{mode}"]})
