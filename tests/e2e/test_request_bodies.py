"""Request bodies under `moderation serve`: slow clients cost a greenlet for a bounded time, never a
process, and a body over the limit is refused whole, however it is sent."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator

import pytest
import requests

from bench.slowloris import measure
from service.connection import connect
from service.store import CommentStore
from tests.conftest import RELAXED_ENV
from tests.servers import RedisServer, ServiceProcess, wait_until


@pytest.fixture(scope="module")
def service(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": f"slow{uuid.uuid4().hex[:8]}",
           "MODERATION_TRUSTED_PROXIES": "1", "MODERATION_BODY_TIMEOUT_SECONDS": "2", **RELAXED_ENV}
    proc = ServiceProcess(tmp_path_factory.mktemp("slow"), env, web_workers=2, scoring_workers=0).start()
    proc.store = CommentStore(connect(redis_server.url), env["MODERATION_REDIS_PREFIX"])  # type: ignore[attr-defined]
    yield proc
    assert proc.stop() == 0


def test_two_hundred_trickling_connections_do_not_stop_other_clients(service: ServiceProcess) -> None:
    # Before: two connections sending half a body held both sync workers and every other request timed out.
    result = measure(service.base, slow=200, seconds=5, interval=1.0, timeout=5)
    assert result.slow_connections == 200
    assert result.failures == 0, result
    assert result.requests >= 20, result  # /healthz and submissions kept being answered throughout


def test_a_body_that_never_finishes_is_refused_with_408_and_its_connection_freed(service: ServiceProcess) -> None:
    with socket.create_connection(("127.0.0.1", service.port), timeout=15) as sock:
        sock.sendall(b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\nAccept-Language: en\r\n\r\n{\"post_id\":")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
            if b"\r\n\r\n" in answer and answer.rstrip().endswith(b"}"):
                break
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"code":"request_timeout"' in answer.replace(b" ", b"")
    assert b"too slowly" in answer


def _chunks(body: bytes, size: int = 4096) -> Iterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i:i + size]


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_an_oversized_chunked_body_is_refused_with_413_not_cut_and_stored(service: ServiceProcess,
                                                                          content_type: str) -> None:
    text = "Un avis très long. " * 4000  # about 76,000 bytes: over the 64 KiB limit
    if content_type == "application/json":
        body = json.dumps({"post_id": "chunked", "author": "Camille", "email": "c@example.fr", "content": text})
    else:
        body = f"comment_post_ID=chunked&author=Camille&email=c%40example.fr&comment={text.replace(' ', '+')}"
    response = requests.post(f"{service.base}/api/v1/comments", data=_chunks(body.encode()), timeout=10,
                             headers={"Content-Type": content_type, "Accept-Language": "fr"})
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "trop volumineux" in response.json()["message"]


def test_a_chunked_body_within_the_limit_is_accepted_whole(service: ServiceProcess) -> None:
    text = "Un avis complet, envoyé par morceaux. " * 1500  # about 57,000 bytes
    body = json.dumps({"post_id": "chunked-ok", "author": "Camille", "email": "c@example.fr", "content": text})
    response = requests.post(f"{service.base}/api/v1/comments", data=_chunks(body.encode()), timeout=10,
                             headers={"Content-Type": "application/json", "X-Forwarded-For": "198.18.0.9"})
    assert response.status_code == 202, response.text
    stored = service.store.get(response.json()["id"])  # type: ignore[attr-defined]
    assert stored is not None and stored["content"] == text


def test_a_malformed_request_is_logged_without_the_client_address(service: ServiceProcess) -> None:
    with socket.create_connection(("127.0.0.1", service.port), timeout=5) as sock:
        sock.sendall(b"NOT A REQUEST\x00\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 400")
    line = wait_until(lambda: next((x for x in service.log().splitlines() if "Invalid request" in x), None),
                      timeout=5, what="gunicorn's line about the bad request")
    assert "ip=[address]" in line and "127.0.0.1" not in line  # before: "Invalid request from ip=127.0.0.1"
