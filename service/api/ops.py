"""Operations: liveness, readiness and the OpenAPI document."""

from __future__ import annotations

import hmac

import redis
from flask import Blueprint, Response, current_app, jsonify

from service import metrics
from service.auth import bearer_token, moderator_for
from service.errors import Forbidden, Unauthorized
from service.extensions import get_model, get_store
from service.i18n import t
from service.openapi import spec_dict
from service.store import LayoutMismatch

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready when Redis answers with the shard layout we expect and the model is loaded; 503 otherwise."""
    checks = {"model": get_model().version}
    try:
        get_store().check_layout()
        checks["redis"] = "ok"
    except redis.exceptions.RedisError as exc:
        checks["redis"] = type(exc).__name__
        return jsonify({"status": "unavailable", "checks": checks}), 503
    except LayoutMismatch as exc:
        checks["redis"] = str(exc)
        return jsonify({"status": "unavailable", "checks": checks}), 503
    return jsonify({"status": "ready", "checks": checks}), 200


@bp.get("/metrics")
def prometheus() -> Response:
    """Prometheus exposition of every process's metrics and the live queue gauges, for a scraper holding
    ``MODERATION_METRICS_TOKEN`` or a moderator token (``Authorization: Bearer ...``)."""
    given = bearer_token()
    if not given:
        raise Unauthorized(t("metrics_token"))
    expected = current_app.config["METRICS_TOKEN"] or ""
    store = get_store()
    scraper = bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
    if not scraper and moderator_for(store.redis, store.keys, given) is None:
        raise Forbidden(t("metrics_forbidden"))
    return Response(metrics.exposition(store), mimetype="text/plain; version=0.0.4")


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    return jsonify(spec_dict())
