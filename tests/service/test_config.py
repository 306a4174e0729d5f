"""Settings: defaults, then the environment, then overrides; each documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import config

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_layers_apply_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODERATION_PORT", "9001")
    monkeypatch.setenv("MODERATION_WORKER_BATCH", "8")
    monkeypatch.setenv("REDIS_URL", "redis://example:6379/0")
    cfg = config.load({"WORKER_BATCH": 16})
    assert cfg["PORT"] == 9001 and cfg["WORKER_BATCH"] == 16 and cfg["REDIS_URL"] == "redis://example:6379/0"
    assert cfg["REDIS_PREFIX"] == "moderation"


def test_empty_redis_url_means_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "")
    assert config.load()["REDIS_URL"] is None


@pytest.mark.parametrize("setting", config.SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_the_readme(setting: config.Setting) -> None:
    assert f"| `{setting.env}` |" in README
