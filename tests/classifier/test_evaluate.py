"""`python -m classifier evaluate` regenerates REPORT.md from the shipped artifact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from classifier.artifact import DEFAULT_PATH
from classifier.evaluate import REPORT

SECTIONS = ("## Spam", "YouTube Psy", "SMS Spam Collection", "## Toxicity", "ToxiFrench dev", "Davidson",
            "HateCheck-fr per functionality", "## Calibration", "Brier score", "one `score()` call",
            "resident memory", "sentence embedding", "Spam thresholds, chosen on held-out French and English",
            "ToxiFrench agreement sample")


def test_the_checked_in_report_describes_the_shipped_artifact() -> None:
    manifest = json.loads((DEFAULT_PATH / "manifest.json").read_text())
    report = REPORT.read_text()
    assert f"artifact of {manifest['created_at']}" in report, "REPORT.md is stale: run python -m classifier evaluate"
    for section in SECTIONS:
        assert section in report, section


@pytest.mark.timeout(240)
def test_evaluate_writes_a_complete_report(tmp_path: Path) -> None:
    out = tmp_path / "REPORT.md"
    done = subprocess.run([sys.executable, "-m", "classifier", "evaluate", "--no-peer", "--out", str(out)],
                          capture_output=True, text=True, timeout=230, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text()
    for section in SECTIONS:
        assert section in text, section
    assert "Peer not measured: skipped (--no-peer)" in text
