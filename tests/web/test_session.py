"""Review-page plumbing that needs no browser: the session key, sign-in limits, headers, card contents."""

from __future__ import annotations

import re
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from service.cli import main
from service.resources import WeakSecret, secret_key
from tests.conftest import scoring_worker


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


def sign_in(client: FlaskClient, token: str) -> int:
    return client.post("/moderation/login", data={"token": token, "csrf": _csrf(client)}).status_code


def test_invalid_sign_ins_are_limited_per_address(client: FlaskClient, token: str) -> None:
    csrf = _csrf(client)
    codes = [client.post("/moderation/login", data={"token": f"mod_wrong{i}", "csrf": csrf}).status_code
             for i in range(21)]
    assert codes == [401] * 21
    blocked = client.post("/moderation/login", data={"token": "mod_wrong", "csrf": csrf})
    assert "Trop de tentatives" in blocked.get_data(as_text=True)


def test_one_invalid_token_tried_from_many_addresses_is_limited(client: FlaskClient) -> None:
    for i in range(21):
        client.post("/moderation/login", data={"token": "mod_leaked", "csrf": _csrf(client)},
                    environ_base={"REMOTE_ADDR": f"192.0.2.{i}"})
    answer = client.post("/moderation/login", data={"token": "mod_leaked", "csrf": _csrf(client)},
                         environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert "Trop de tentatives" in answer.get_data(as_text=True)


def test_successful_sign_ins_never_count_and_a_valid_token_is_never_locked_out(client: FlaskClient,
                                                                               token: str) -> None:
    assert [sign_in(client, token) for _ in range(25)] == [302] * 25  # before: the 21st was refused
    for i in range(25):  # someone behind the same proxy floods the form with wrong tokens
        client.post("/moderation/login", data={"token": f"mod_wrong{i}", "csrf": _csrf(client)})
    assert sign_in(client, token) == 302


def test_the_api_counts_failed_tokens_only(client: FlaskClient, auth: dict[str, str]) -> None:
    assert {client.get("/api/v1/moderation/queue", headers=auth).status_code for _ in range(25)} == {200}
    codes = [client.get("/api/v1/moderation/queue", headers={"Authorization": f"Bearer mod_x{i}"}).status_code
             for i in range(22)]
    assert codes[:20] == [403] * 20 and codes[-1] == 429
    assert client.get("/api/v1/moderation/queue", headers=auth).status_code == 200


def test_signing_out_ends_the_session_on_the_server(client: FlaskClient, token: str) -> None:
    assert sign_in(client, token) == 302
    cookie = client.get_cookie("moderation_session", path="/moderation")
    assert cookie is not None
    html = client.get("/moderation/").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', html) or re.search(r'data-csrf="([^"]+)"', html)
    assert csrf
    client.post("/moderation/logout", data={"csrf": csrf.group(1)})
    # An attacker who kept a copy of the old cookie and its CSRF token replays them.
    client.set_cookie("moderation_session", cookie.value, path="/moderation")
    assert client.get("/moderation/").headers["Location"].endswith("/moderation/login")
    replay = client.post("/moderation/decisions", json={"action": "approve", "ids": ["x"]},
                         headers={"X-CSRF-Token": csrf.group(1)})
    assert replay.status_code == 401


def test_a_session_lasts_at_most_its_maximum_age(settings: dict[str, object], token: str) -> None:
    from service import create_app

    app = create_app({**settings, "TESTING": True, "SESSION_MAX_AGE_SECONDS": 1})
    client = app.test_client()
    assert sign_in(client, token) == 302
    assert client.get("/moderation/").status_code == 200
    time.sleep(2.1)
    assert client.get("/moderation/").headers["Location"].endswith("/moderation/login")


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
    from service.worker import WorkerSettings
    from tests.conftest import comment_payload

    client.post("/api/v1/comments", json=comment_payload(content="Je sais où tu habites, je vais te tuer."))
    worker = scoring_worker(app, WorkerSettings(block_ms=10), "w")
    worker.ensure_group()
    assert worker.step() == 1
    client.post("/moderation/login", data={"token": token, "csrf": _csrf(client)})
    html = client.get("/moderation/?status=pending").get_data(as_text=True)
    kinds = re.search(r'<span class="kinds">([^<]*)</span>', html)
    assert kinds and re.search(r"menace 0\.\d\d", kinds.group(1)), html


@pytest.mark.parametrize("placeholder", ["change-me", "CHANGE-ME", " secret "])
def test_a_placeholder_secret_is_refused_with_the_way_out(tmp_path: Path, placeholder: str) -> None:
    with pytest.raises(WeakSecret, match="Unset it to have one generated"):
        secret_key(placeholder, str(tmp_path))
    result = CliRunner().invoke(main, ["serve", "--port", "1"], env={
        "MODERATION_SECRET_KEY": placeholder, "MODERATION_DATA_DIR": str(tmp_path), "REDIS_URL": ""})
    assert result.exit_code != 0 and "MODERATION_SECRET_KEY is a placeholder" in result.output
    assert not (tmp_path / "redis.sock").exists()  # refused before anything started


def test_processes_starting_together_share_one_generated_secret(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: secret_key("", str(tmp_path / "shared")), range(16)))
    assert len(keys) == 1 and len(next(iter(keys))) >= 32
    assert [p.name for p in (tmp_path / "shared").iterdir()] == ["secret_key"]
