"""Fixtures mirroring the app factory, on a real redis-server started by the suite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

import classifier
from service import create_app
from service.auth import create_token
from service.store import CommentStore
from service.worker import ScoringWorker, WorkerSettings
from tests.servers import RedisServer

# Tests that are not about abuse control submit many comments from one address at once.
RELAXED = {"FLOOD_SECONDS": 0.0, "RATE_BURST": 1_000_000, "RATE_PER_MINUTE": 1e9, "DUPLICATE_DAYS": 0,
           "RATE_NETWORK_BURST": 1_000_000, "RATE_NETWORK_PER_MINUTE": 1e9}
RELAXED_ENV = {f"MODERATION_{k}": str(v) for k, v in RELAXED.items()}
OUTPUT_DIR = Path(__file__).resolve().parents[1] / "test-output"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def model() -> classifier.Model:
    return classifier.load()


@pytest.fixture
def prefix() -> str:
    """A fresh key prefix per test: tests share one server but never each other's keys."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def settings(redis_server: RedisServer, prefix: str, tmp_path: Path) -> dict[str, object]:
    return {"REDIS_URL": redis_server.url, "REDIS_PREFIX": prefix, "REDIS_TIMEOUT": 1.0,
            "DATA_DIR": str(tmp_path / "var"), "MODEL_POLL_SECONDS": 0.0, **RELAXED}


@pytest.fixture
def app(settings: dict[str, object]) -> Iterator[Flask]:
    app = create_app({**settings, "TESTING": True})
    yield app
    app.extensions["moderation.store"].redis.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def store(app: Flask) -> CommentStore:
    return app.extensions["moderation.store"]  # type: ignore[no-any-return]


@pytest.fixture
def redis_client(store: CommentStore) -> redis.Redis:
    return store.redis


@pytest.fixture
def token(store: CommentStore) -> str:
    return create_token(store.redis, store.keys, "alice")


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR


def comment_payload(**overrides: object) -> dict[str, object]:
    """A valid submission; tests override what they are about."""
    return {"post_id": "42", "author": "Camille", "email": "camille@example.fr",
            "content": "Merci pour cet article très clair.", **overrides}


def write_waiting(store: CommentStore) -> list[str]:
    """Write every acknowledged comment to its hash and indexes, as a scoring worker does first; their ids."""
    ids = [comment_id for shard in store.keys.all_shards() for comment_id, _ in store.unfiled(shard)]
    store.materialise(ids)
    return ids


def scoring_worker(app: Flask, settings: WorkerSettings | None = None, name: str = "w") -> ScoringWorker:
    """A scoring worker on the app's resources and model, as `moderation worker` builds one."""
    return ScoringWorker(app.extensions["moderation"], app.extensions["moderation.model"],
                         settings or WorkerSettings(block_ms=10), name)
