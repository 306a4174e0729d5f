"""Review-page plumbing that needs no browser: the session key, sign-in limits, headers, card contents."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from flask.testing import FlaskClient

from service.web import secret_key


def test_a_secret_key_is_created_once_private_to_the_owner(tmp_path: Path) -> None:
    first = secret_key(None, str(tmp_path / "var"))
    assert first == secret_key(None, str(tmp_path / "var")) and len(first) >= 32
    assert stat.S_IMODE((tmp_path / "var" / "secret_key").stat().st_mode) == 0o600
    assert secret_key("configured", str(tmp_path / "other")) == "configured"


def _csrf(client: FlaskClient) -> str:
    html = client.get("/moderation/login").get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_sign_in_is_rate_limited_per_address(client: FlaskClient, token: str) -> None:
    csrf = _csrf(client)
    codes = [client.post("/moderation/login", data={"token": "mod_wrong", "csrf": csrf}).status_code
             for _ in range(20)]
    assert codes == [401] * 20
    blocked = client.post("/moderation/login", data={"token": token, "csrf": csrf})
    assert blocked.status_code == 401
    assert "Trop de tentatives" in blocked.get_data(as_text=True)


def test_sign_in_without_csrf_is_refused(client: FlaskClient, token: str) -> None:
    client.get("/moderation/login")
    assert client.post("/moderation/login", data={"token": token}).status_code == 403


def test_revoking_a_token_signs_its_sessions_out(client: FlaskClient, token: str, store) -> None:  # type: ignore[no-untyped-def]
    from service.auth import revoke_tokens

    response = client.post("/moderation/login", data={"token": token, "csrf": _csrf(client)})
    assert response.status_code == 302
    assert client.get("/moderation/").status_code == 200
    revoke_tokens(store.redis, store.keys, "alice")
    assert client.get("/moderation/").headers["Location"].endswith("/moderation/login")


def test_every_response_carries_security_headers(client: FlaskClient) -> None:
    for path in ("/healthz", "/moderation/login", "/api/v1/posts/1/comments", "/missing"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_card_names_the_kind_of_toxicity(app, client: FlaskClient, token: str, store) -> None:  # type: ignore[no-untyped-def]
    from service.worker import ScoringWorker, WorkerSettings
    from tests.conftest import comment_payload

    client.post("/api/v1/comments", json=comment_payload(content="Je sais où tu habites, je vais te tuer."))
    worker = ScoringWorker(store, app.extensions["moderation.model"], WorkerSettings(block_ms=10), "w")
    worker.ensure_group()
    assert worker.step() == 1
    client.post("/moderation/login", data={"token": token, "csrf": _csrf(client)})
    html = client.get("/moderation/?status=pending").get_data(as_text=True)
    kinds = re.search(r'<span class="kinds">([^<]*)</span>', html)
    assert kinds and re.search(r"menace 0\.\d\d", kinds.group(1)), html
