"""schemathesis fuzzes every operation of our own OpenAPI document against a real server.

Checks: no 5xx, documented status codes, content types, headers and response schemas, and every
schema-valid request accepted (the document is never looser than the validation), except the one
operation whose acceptance depends on state (see schemathesis.toml beside this file).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from service.auth import create_token
from service.keys import Keys
from tests.conftest import RELAXED_ENV
from tests.servers import RedisServer, ServiceProcess

CONFIG = Path(__file__).with_name("schemathesis.toml")


def _cli() -> str:
    found = shutil.which("st") or str(Path(sys.executable).with_name("st"))
    if not Path(found).exists():
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    return found


def test_the_api_matches_its_openapi_document(redis_server: RedisServer, tmp_path: Path, output_dir: Path) -> None:
    prefix = f"st{uuid.uuid4().hex[:8]}"
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, **RELAXED_ENV}
    service = ServiceProcess(tmp_path, env).start()
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    token = create_token(client, Keys(prefix), "fuzzer")
    client.close()
    try:
        result = subprocess.run(
            [_cli(), "--config-file", str(CONFIG), "run", f"{service.base}/api/v1/openapi.json", "--max-examples", "30",
             "--seed", "20261126", "-H", f"Authorization: Bearer {token}", "--no-color"],
            capture_output=True, text=True, timeout=240, check=False)
    finally:
        service.stop()
    (output_dir / "schemathesis.txt").write_text(result.stdout + result.stderr)  # the whole report, kept
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
