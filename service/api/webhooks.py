"""Moderators see each webhook endpoint's delivery log (secrets never shown)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from service.auth import moderator_required
from service.extensions import get_store
from service.webhooks import WebhookSettings, delivery_log

bp = Blueprint("webhooks", __name__, url_prefix="/api/v1/moderation/webhooks")


@bp.get("")
@moderator_required
def deliveries() -> Response:
    """Every configured endpoint with its last 50 delivery attempts, newest first."""
    settings = WebhookSettings.from_config(current_app.config)
    store = get_store()
    items = []
    for endpoint in settings.endpoints:
        items.append({"id": endpoint.id, "url": endpoint.url, "events": sorted(endpoint.events),
                      "deliveries": delivery_log(store, endpoint)})
    return jsonify({"items": items})
