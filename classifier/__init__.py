"""Spam and toxicity scoring for comments, in French and English, fully offline.

Public surface: ``load(path=None) -> Model``, ``Model.score``, ``Model.score_many``, ``Scores``; and for
the service's signals and views, ``find_links``, ``url_domain``, ``detect_language`` and ``KIND_LABELS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from classifier.adapt import Labelled, gate_sets, probabilities
from classifier.adapt import adapt as adapt_model
from classifier.adapt import base as base_model
from classifier.adapt import features as shipped_features
from classifier.adapt import parts as model_parts
from classifier.artifact import DEFAULT_PATH, ArtifactError, from_parts, read_parts
from classifier.artifact import load as _load_artifact
from classifier.data import KIND_LABELS, Example
from classifier.encoder import DIMENSIONS, Encoder
from classifier.features import SIGNALS, detect_language, find_links, url_domain
from classifier.model import Model, Scores
from classifier.retrain import Retrainer, data_differences, training_sets

__all__ = ["DEFAULT_PATH", "KIND_LABELS", "ArtifactError", "Example", "Labelled", "Model", "Retrainer", "Scores",
           "adapt_model", "base_model", "data_differences", "detect_language", "find_links", "gate_sets", "load",
           "load_parts", "model_parts", "probabilities", "read_parts", "shared_encoder", "shipped_features",
           "training_sets", "url_domain"]


def load(path: str | Path | None = None) -> Model:
    """Load the shipped artifact (or the one at ``path``); raises ArtifactError when unusable."""
    return _model(*_load_artifact(Path(path) if path else DEFAULT_PATH))


def load_parts(manifest: dict[str, Any], weights: bytes) -> Model:
    """A model from a manifest and its weights' bytes, as a registry of versions stores them."""
    return _model(*from_parts(manifest, weights))


def _model(heads: dict[str, Any], manifest: dict[str, Any]) -> Model:
    for name, head in heads.items():
        small = name.endswith(".fast") or name.startswith("kind.")  # n-grams and signals only
        expected = 1 if name.startswith("adapt.") else len(SIGNALS) if small else DIMENSIONS + len(SIGNALS)
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
