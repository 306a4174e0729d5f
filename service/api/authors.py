"""Moderators mark an author (email or IP prefix) as always-hold or blocked (silently routed to spam)."""

from __future__ import annotations

import ipaddress

from flask import Blueprint, Response, g, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.auth import moderator_required
from service.errors import NotFound, ValidationFailed
from service.extensions import get_guard

bp = Blueprint("authors", __name__, url_prefix="/api/v1/moderation/authors")
PREFIX_LENGTHS = {4: (32, 24, 16), 6: (128, 64, 48)}


class AuthorRule(Schema):
    """Exactly one of email or ip_prefix, and what to do with that author's comments."""

    email = fields.Email(load_default=None, validate=validate.Length(max=100))
    ip_prefix = fields.String(load_default=None, validate=validate.Length(max=64))
    mode = fields.String(required=True, validate=validate.OneOf(["block", "hold"]))
    note = fields.String(load_default=None, validate=validate.Length(max=500))

    @validates_schema
    def _one_target(self, data: dict[str, object], **kwargs: object) -> None:
        if bool(data.get("email")) == bool(data.get("ip_prefix")):
            raise ValidationError("Give exactly one of email or ip_prefix.", "_schema")


def _network(prefix: str) -> str:
    try:
        net = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        raise ValidationFailed("Invalid rule.", errors={"ip_prefix": ["Not an IP address or prefix."]}) from None
    if net.prefixlen not in PREFIX_LENGTHS[net.version]:
        allowed = ", ".join(f"/{n}" for n in PREFIX_LENGTHS[net.version])
        raise ValidationFailed("Invalid rule.", errors={"ip_prefix": [f"Use an address or a prefix of {allowed}."]})
    return str(net.network_address) if net.prefixlen == net.max_prefixlen else str(net)


@bp.post("")
@moderator_required
def create() -> tuple[Response, int]:
    try:
        body = AuthorRule().load(request.get_json(force=True, silent=True) or {})
    except ValidationError as exc:
        raise ValidationFailed("Invalid rule.", errors=exc.normalized_messages()) from None
    prefix = _network(body["ip_prefix"]) if body["ip_prefix"] else None
    record = get_guard().set_author(body["mode"], g.moderator, body["email"], prefix, body["note"])
    return jsonify(record), 201


@bp.get("")
@moderator_required
def list_rules() -> Response:
    return jsonify({"items": get_guard().list_authors()})


@bp.delete("/<path:entry_id>")
@moderator_required
def delete(entry_id: str) -> tuple[str, int]:
    if not get_guard().delete_author(entry_id):
        raise NotFound("No such author rule.")
    return "", 204
