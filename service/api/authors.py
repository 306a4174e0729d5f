"""Moderators mark an author (email or IP prefix) as always-hold or blocked (silently routed to spam)."""

from __future__ import annotations

import ipaddress

from flask import Blueprint, Response, g, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.auth import moderator_required
from service.errors import NotFound, ValidationFailed
from service.extensions import get_guard
from service.i18n import t
from service.schemas import email_field

bp = Blueprint("authors", __name__, url_prefix="/api/v1/moderation/authors")
PREFIX_LENGTHS = {4: (32, 24, 16), 6: (128, 64, 48)}
_V4 = r"((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_H = "[0-9a-fA-F]{1,4}"
_V6 = (f"(({_H}:){{7}}{_H}|({_H}:){{1,7}}:|({_H}:){{1,6}}:{_H}|({_H}:){{1,5}}(:{_H}){{1,2}}"
       f"|({_H}:){{1,4}}(:{_H}){{1,3}}|({_H}:){{1,3}}(:{_H}){{1,4}}|({_H}:){{1,2}}(:{_H}){{1,5}}|{_H}:(:{_H}){{1,6}}|:((:{_H}){{1,7}}|:))")
# Published in the OpenAPI document: an address, or a prefix of an allowed length (the server checks with ipaddress).
IP_PREFIX = f"^({_V4}(/(32|24|16))?|{_V6}(/(128|64|48))?)$"


class AuthorRule(Schema):
    """Exactly one of email or ip_prefix, and what to do with that author's comments."""

    email = email_field(load_default=None)
    ip_prefix = fields.String(load_default=None, validate=validate.Length(max=64), metadata={"pattern": IP_PREFIX})
    mode = fields.String(required=True, validate=validate.OneOf(["block", "hold", "trust"]))
    note = fields.String(load_default=None, validate=validate.Length(max=500))

    @validates_schema
    def _one_target(self, data: dict[str, object], **kwargs: object) -> None:
        if bool(data.get("email")) == bool(data.get("ip_prefix")):
            raise ValidationError(t("one_target", "en"), "_schema")  # said in the request's language by the handler
        if data.get("mode") == "trust" and not data.get("email"):
            raise ValidationError(t("trust_by_email", "en"), "ip_prefix")


def _network(prefix: str) -> str:
    try:
        net = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        raise ValidationFailed(t("invalid_rule"), errors={"ip_prefix": [t("not_ip_prefix")]}) from None
    if net.prefixlen not in PREFIX_LENGTHS[net.version]:
        allowed = ", ".join(f"/{n}" for n in PREFIX_LENGTHS[net.version])
        raise ValidationFailed(t("invalid_rule"), errors={"ip_prefix": [t("prefix_lengths", allowed=allowed)]})
    return str(net.network_address) if net.prefixlen == net.max_prefixlen else str(net)


@bp.post("")
@moderator_required
def create() -> tuple[Response, int]:
    try:
        body = AuthorRule().load(request.get_json(force=True, silent=True) or {})
    except ValidationError as exc:
        raise ValidationFailed(t("invalid_rule"), errors=exc.normalized_messages()) from None
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
        raise NotFound(t("no_author_rule"))
    return "", 204
