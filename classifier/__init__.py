"""Spam and toxicity scoring for comments, in French and English, fully offline.

Public surface: ``load(path=None) -> Model``, ``Model.score``, ``Model.score_many``, ``Scores``.
"""

from __future__ import annotations

from pathlib import Path

from classifier.artifact import DEFAULT_PATH, ArtifactError
from classifier.artifact import load as _load_artifact
from classifier.model import Model, Scores

__all__ = ["ArtifactError", "Model", "Scores", "load"]


def load(path: str | Path | None = None) -> Model:
    """Load the shipped artifact (or the one at ``path``); raises ArtifactError when unusable."""
    heads, manifest = _load_artifact(Path(path) if path else DEFAULT_PATH)
    return Model(heads, manifest)
