"""GDPR tools for moderators: export and erase everything held about one email.

The email travels in a POST body, never in a URL, so that it cannot end up in access logs.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request
from marshmallow import Schema, ValidationError

from service import privacy
from service.auth import moderator_required
from service.errors import ValidationFailed
from service.extensions import get_guard, get_store
from service.i18n import t
from service.schemas import ModeratorComment, email_field

bp = Blueprint("privacy", __name__, url_prefix="/api/v1/moderation/privacy")


class EmailRequest(Schema):
    email = email_field(required=True)


def _email() -> str:
    try:
        return str(EmailRequest().load(request.get_json(force=True, silent=True) or {})["email"])
    except ValidationError as exc:
        raise ValidationFailed(t("invalid_request"), errors=exc.normalized_messages()) from None


@bp.post("/export")
@moderator_required
def export() -> Response:
    """Every comment, rule and counter held about an email."""
    data = privacy.export(get_store(), get_guard(), _email())
    data["comments"] = ModeratorComment(many=True).dump(data["comments"])
    return jsonify(data)


@bp.post("/erase")
@moderator_required
def erase() -> Response:
    """Delete the email's comments and traces; the audit trail keeps only an anonymous erasure entry."""
    return jsonify(privacy.erase(get_store(), get_guard(), _email(), g.moderator))
