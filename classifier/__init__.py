"""Spam and toxicity scoring for comments, in French and English, fully offline.

Public surface: ``load(path=None) -> Model``, ``Model.score``, ``Model.score_many``, ``Scores``; and for
the service's signals and views, ``find_links``, ``url_domain``, ``detect_language`` and ``KIND_LABELS``.
"""

from __future__ import annotations

from pathlib import Path

from classifier.artifact import DEFAULT_PATH, ArtifactError
from classifier.artifact import load as _load_artifact
from classifier.data import KIND_LABELS
from classifier.encoder import DIMENSIONS, Encoder
from classifier.features import SIGNALS, detect_language, find_links, url_domain
from classifier.model import Model, Scores

__all__ = ["DEFAULT_PATH", "KIND_LABELS", "ArtifactError", "Model", "Scores", "detect_language", "find_links", "load",
           "shared_encoder", "url_domain"]


def load(path: str | Path | None = None) -> Model:
    """Load the shipped artifact (or the one at ``path``); raises ArtifactError when unusable."""
    heads, manifest = _load_artifact(Path(path) if path else DEFAULT_PATH)
    for name, head in heads.items():
        small = name.endswith(".fast") or name.startswith("kind.")  # n-grams and signals only
        expected = len(SIGNALS) if small else DIMENSIONS + len(SIGNALS)
        if head.dense_coef.shape != (expected,):
            raise ArtifactError(f"head {name!r} expects {head.dense_coef.shape[0]} dense inputs, this code makes "
                                f"{expected} (encoder + signals): retrain with 'python -m classifier train'")
    return Model(heads, manifest, shared_encoder())


_ENCODER: Encoder | None = None


def shared_encoder() -> Encoder:
    """One encoder per process: its 115 MB of weights are the same for every model loaded."""
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = Encoder()
    return _ENCODER
