"""The artifact: round trip, metadata, refusal of tampered or foreign files, the batch command."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import classifier
from classifier import artifact
from classifier.artifact import DEFAULT_PATH, ArtifactError


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(DEFAULT_PATH, target)
    return target


def test_shipped_artifact_carries_its_passport() -> None:
    manifest = json.loads((DEFAULT_PATH / "manifest.json").read_text())
    assert manifest["version"] and manifest["libraries"]["scikit-learn"]
    assert manifest["data"] and all(len(h) == 64 for h in manifest["data"].values())
    assert "youtube_leave_one_video_out" in manifest["metrics"]["spam"]
    assert "toxifrench_dev_5fold_cv" in manifest["metrics"]["toxicity"]
    for head in ("spam", "toxicity"):  # calibrated on held-out scores, with the evidence kept
        calibration = manifest["metrics"][head]["calibration"]
        assert 0 < calibration["brier"] < 0.25 and calibration["reliability"]


def test_calibrated_probabilities_track_observed_rates() -> None:
    """The reliability table in the passport: in well-populated bins, predicted is near observed."""
    manifest = json.loads((DEFAULT_PATH / "manifest.json").read_text())
    for head in ("spam", "toxicity"):
        rows = [r for r in manifest["metrics"][head]["calibration"]["reliability"] if r["n"] >= 50]
        assert rows and all(abs(r["predicted"] - r["observed"]) < 0.2 for r in rows), (head, rows)


def _set_format(artifact_path: Path, value: str) -> None:
    manifest = json.loads((artifact_path / "manifest.json").read_text())
    manifest["format"] = value
    (artifact_path / "manifest.json").write_text(json.dumps(manifest))


def test_an_artifact_of_the_previous_format_is_refused_with_a_way_out(copy: Path) -> None:
    _set_format(copy, "moderation-classifier/1")
    with pytest.raises(ArtifactError, match="retrain"):
        classifier.load(copy)


def test_a_copy_loads_and_scores_the_same(copy: Path, model: classifier.Model) -> None:
    assert classifier.load(copy).score("espèce de connard") == model.score("espèce de connard")


def test_tampered_weights_are_refused(copy: Path) -> None:
    data = bytearray((copy / "weights.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "weights.npz").write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="checksum"):
        classifier.load(copy)


def test_foreign_format_is_refused(copy: Path) -> None:
    _set_format(copy, "pickle")
    with pytest.raises(ArtifactError, match="format"):
        classifier.load(copy)


def test_missing_artifact_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no model artifact"):
        classifier.load(tmp_path)


def test_score_command_reads_and_writes_json_lines() -> None:
    lines = [{"content": "Merci pour cet article", "author": "Ana", "url": None},
             {"content": "espèce de connard"}]
    result = subprocess.run([sys.executable, "-m", "classifier", "score"], check=True, capture_output=True,
                            text=True, input="\n".join(json.dumps(x) for x in lines) + "\n", timeout=60)
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(out) == 2
    assert set(out[0]) == {"spam", "toxicity", "language", "version", "reasons", "subscores"}
    assert out[1]["toxicity"] > out[0]["toxicity"]


def test_score_command_names_the_bad_line() -> None:
    result = subprocess.run([sys.executable, "-m", "classifier", "score"], capture_output=True, text=True,
                            input='{"content": "ok"}\nnot json\n', timeout=60)
    assert result.returncode == 2
    assert "line 2" in result.stderr


def test_weights_for_other_inputs_are_refused_before_scoring(copy: Path) -> None:
    """Weights that do not match this code's encoder and signals would score garbage: refuse them."""
    heads, manifest = artifact.load(copy)
    heads["spam"] = dataclasses.replace(heads["spam"], dense_coef=heads["spam"].dense_coef[:-1])
    artifact.save(copy, heads, manifest)
    with pytest.raises(ArtifactError, match="dense inputs"):
        classifier.load(copy)


def test_the_spam_thresholds_in_force_are_the_ones_chosen_on_held_out_french_and_english() -> None:
    """The shipped defaults follow the training run's choice, made on both languages' held-out scores."""
    from service.config import defaults

    chosen = json.loads((DEFAULT_PATH / "manifest.json").read_text())["metrics"]["spam"]["thresholds"]
    assert set(chosen["akismet_at"]) == {"en", "fr"}
    assert defaults()["AKISMET_SPAM_THRESHOLD"] == chosen["akismet"]
    assert defaults()["SPAM_DISCARD_THRESHOLD"] == chosen["spam_discard"]
    for lang in ("en", "fr"):  # filing with no human look costs at most that share of either language's ham
        assert chosen["spam_discard_at"][lang]["ham_flagged"] <= chosen["discard_max_ham_rate"]
