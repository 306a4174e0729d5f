"""Save and load a model as plain arrays plus a JSON passport; no pickle is ever executed.

Layout of an artifact folder:
  manifest.json  format, version, pipeline params, heads, metrics, data checksums,
                 library versions and the sha256 of weights.npz
  weights.npz    for each head: ``<head>.idf``, ``<head>.coef`` (hashed n-grams),
                 ``<head>.dense_coef`` (sentence embedding, then the hand-made signals),
                 ``<head>.intercept`` and ``<head>.calibration`` (Platt slope and offset)
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "moderation-classifier/2"
DEFAULT_PATH = Path(__file__).resolve().parent / "artifacts" / "current"


class ArtifactError(RuntimeError):
    """The artifact is missing, tampered with or of a format this code cannot read."""


@dataclass(frozen=True)
class HeadWeights:
    """What one fitted binary head needs at inference."""

    idf: np.ndarray
    coef: np.ndarray
    dense_coef: np.ndarray
    intercept: float
    calibration: tuple[float, float] = (1.0, 0.0)


def save(path: Path, heads: dict[str, HeadWeights], manifest: dict[str, Any]) -> None:
    """Write weights and a manifest that carries their checksum."""
    path.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for name, head in heads.items():
        arrays[f"{name}.idf"] = head.idf.astype(np.float32)
        arrays[f"{name}.coef"] = head.coef.astype(np.float32)
        arrays[f"{name}.dense_coef"] = head.dense_coef.astype(np.float32)
        arrays[f"{name}.calibration"] = np.array(head.calibration, dtype=np.float64)
        arrays[f"{name}.intercept"] = np.array([head.intercept], dtype=np.float64)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    data = buffer.getvalue()
    (path / "weights.npz").write_bytes(data)
    full = {**manifest, "format": FORMAT, "heads": sorted(heads), "weights_sha256": hashlib.sha256(data).hexdigest()}
    (path / "manifest.json").write_text(json.dumps(full, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def load(path: Path) -> tuple[dict[str, HeadWeights], dict[str, Any]]:
    """Read an artifact, refusing one whose format or checksum does not match."""
    try:
        manifest = json.loads((path / "manifest.json").read_text())
        data = (path / "weights.npz").read_bytes()
    except FileNotFoundError as exc:
        raise ArtifactError(f"no model artifact at {path}: {exc.filename} is missing") from exc
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"model manifest at {path} is not valid JSON: {exc}") from exc
    return from_parts(manifest, data, str(path))


def read_parts(path: Path) -> tuple[dict[str, Any], bytes]:
    """The manifest and the weights' bytes, checked, as a registry stores them."""
    _, manifest = load(path)
    return manifest, (path / "weights.npz").read_bytes()


def from_parts(manifest: dict[str, Any], data: bytes, where: str = "the registry") -> tuple[
        dict[str, HeadWeights], dict[str, Any]]:
    """Heads from a manifest and the weights' bytes (a folder's or a registry's), checked the same way."""
    if manifest.get("format") != FORMAT:
        raise ArtifactError(
            f"model artifact format {manifest.get('format')!r} is not {FORMAT!r}: retrain with "
            "'python -m classifier train' or install the code version that wrote it"
        )
    if hashlib.sha256(data).hexdigest() != manifest.get("weights_sha256"):
        raise ArtifactError(f"model weights at {where} do not match the manifest checksum (tampered or corrupt)")
    heads: dict[str, HeadWeights] = {}
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        for name in manifest["heads"]:
            a, b = (float(v) for v in npz[f"{name}.calibration"])
            heads[name] = HeadWeights(
                idf=npz[f"{name}.idf"], coef=npz[f"{name}.coef"], dense_coef=npz[f"{name}.dense_coef"],
                intercept=float(npz[f"{name}.intercept"][0]), calibration=(a, b),
            )
    return heads, manifest
