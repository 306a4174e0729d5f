"""The benchmark harness runs end to end in smoke mode, so that it cannot rot (no speed is asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("## HTTP", "`POST /api/v1/comments`", "`GET /api/v1/posts/<id>/comments`", "`GET /api/v1/moderation/queue`",
            "## Scaling", "## Queue listing", "one `score()` call, median", "model batch throughput",
            "worker end to end", "lag at a sustained", "Redis round trips per accepted comment",
            "Redis memory per comment", "Redis server time per accepted comment", "resident memory, gunicorn worker",
            "resident memory, scoring worker", "Perspective-compatible `comments:analyze`",
            "ceiling + one Redis append", "comments were waiting to be scored", "## Slow clients",
            "alternating slices", "step by step", "## Spam wave", "in the scoring worker")


@pytest.mark.timeout(300)
def test_smoke_run_writes_a_complete_results_file(tmp_path: Path) -> None:
    if not shutil.which("wrk"):
        pytest.skip("wrk is not installed (.ci/run installs it with apt)")
    out = tmp_path / "RESULTS.md"
    result = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=280, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = out.read_text()
    for section in SECTIONS:
        assert section in text, section
    assert "| 1.0 |" in text  # one Redis round trip per accepted comment, counted on the socket
