"""The `moderation` command's token management, against a real Redis and the embedded one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from service.auth import moderator_for
from service.cli import main
from service.connection import connect
from service.embedded import EmbeddedRedis
from service.keys import Keys
from tests.servers import RedisServer


def test_token_create_prints_the_token_alone_on_the_last_line(redis_server: RedisServer, prefix: str) -> None:
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix}
    result = CliRunner().invoke(main, ["token", "create", "alice"], env=env)
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    client = connect(redis_server.url)
    try:
        assert moderator_for(client, Keys(prefix), token) == "alice"
        assert token not in str(client.hgetall(Keys(prefix).tokens))  # only the hash is stored
    finally:
        client.close()
    listed = CliRunner().invoke(main, ["token", "list"], env=env)
    assert "alice" in listed.output and token not in listed.output
    revoked = CliRunner().invoke(main, ["token", "revoke", "alice"], env=env)
    assert "revoked 1" in revoked.output


def test_token_create_admin_makes_an_admin(redis_server: RedisServer, prefix: str) -> None:
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix}
    result = CliRunner().invoke(main, ["token", "create", "ada", "--admin"], env=env)
    assert result.exit_code == 0 and result.output.startswith("Admin token for ada")
    CliRunner().invoke(main, ["token", "create", "marc"], env=env)
    listed = CliRunner().invoke(main, ["token", "list"], env=env).output.splitlines()
    assert [line.endswith("ada  (admin)") for line in listed] == [True, False]


def test_worker_refuses_a_niceness_out_of_range(redis_server: RedisServer) -> None:
    result = CliRunner().invoke(main, ["worker"], env={"REDIS_URL": redis_server.url, "MODERATION_WORKER_NICE": "25"})
    assert result.exit_code == 2
    assert "MODERATION_WORKER_NICE must be 0 to 19, not 25" in result.output


def test_token_create_rejects_an_empty_name(redis_server: RedisServer) -> None:
    result = CliRunner().invoke(main, ["token", "create", " "], env={"REDIS_URL": redis_server.url})
    assert result.exit_code == 2
    assert "NAME" in result.output


def test_token_create_without_redis_url_uses_the_embedded_redis(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    env = {"MODERATION_DATA_DIR": str(tmp_path / "var")}
    result = CliRunner().invoke(main, ["token", "create", "bob"], env=env)
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    embedded = EmbeddedRedis(tmp_path / "var")
    assert not embedded.alive()  # started for the command, stopped after it
    with embedded.borrowed() as url:  # the append-only file kept the token
        client = connect(url)
        try:
            assert moderator_for(client, Keys("moderation"), token) == "bob"
        finally:
            client.close()


def test_api_key_create_prints_the_key_alone_on_the_last_line(redis_server: RedisServer, prefix: str) -> None:
    from service.auth import api_client_for

    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix}
    result = CliRunner().invoke(main, ["api-key", "create", "wordpress"], env=env)
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    client = connect(redis_server.url)
    try:
        assert api_client_for(client, Keys(prefix), key) == "wordpress"
        assert api_client_for(client, Keys(prefix), key + "x") is None
    finally:
        client.close()


def test_privacy_export_and_erase_commands(redis_server: RedisServer, prefix: str, tmp_path: Path) -> None:
    import json

    from service import create_app
    from tests.conftest import RELAXED, comment_payload

    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_SECRET_KEY": "k"}
    app = create_app({"REDIS_URL": redis_server.url, "REDIS_PREFIX": prefix, "SECRET_KEY": "k", **RELAXED})
    app.test_client().post("/api/v1/comments", json=comment_payload(email="cli@example.fr"))
    exported = CliRunner().invoke(main, ["privacy", "export", "cli@example.fr"], env=env)
    assert exported.exit_code == 0 and len(json.loads(exported.output)["comments"]) == 1
    erased = CliRunner().invoke(main, ["privacy", "erase", "cli@example.fr", "--yes"], env=env)
    assert "erased 1 comment(s)" in erased.output
    again = CliRunner().invoke(main, ["privacy", "export", "cli@example.fr"], env=env)
    assert json.loads(again.output)["comments"] == []
    app.extensions["moderation.store"].redis.close()


def test_api_keys_are_listed_without_the_key_and_revoked_by_name(redis_server: RedisServer, prefix: str) -> None:
    from service.auth import api_client_for

    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix}
    key = CliRunner().invoke(main, ["api-key", "create", "wordpress"], env=env).output.strip().splitlines()[-1]
    CliRunner().invoke(main, ["api-key", "create", "coral"], env=env)
    listed = CliRunner().invoke(main, ["api-key", "list"], env=env)
    assert listed.exit_code == 0 and "wordpress" in listed.output and "coral" in listed.output
    assert key not in listed.output
    revoked = CliRunner().invoke(main, ["api-key", "revoke", "wordpress"], env=env)
    assert "revoked 1" in revoked.output
    client = connect(redis_server.url)
    try:
        assert api_client_for(client, Keys(prefix), key) is None
    finally:
        client.close()
    assert "wordpress" not in CliRunner().invoke(main, ["api-key", "list"], env=env).output


def test_version_names_the_package_and_its_version() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and version("comment-moderation") in result.output
