"""Scores and signals in, status and reasons out. Thresholds come from config, not the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from classifier import Scores
from service.keys import Status


@dataclass(frozen=True)
class Verdict:
    """Where a scored comment goes, how risky it is, and why."""

    status: Status
    risk: float
    reasons: list[dict[str, Any]] = field(default_factory=list)


def classifier_unavailable(attempts: int) -> Verdict:
    """A comment the model could not score: still queued for humans, never approved."""
    reason = {"source": "policy", "rule": "classifier_unavailable",
              "detail": f"the classifier failed {attempts} time(s); a human must decide", "count": attempts}
    return Verdict(Status.PENDING, 1.0, [reason])


def decide(scores: Scores, spam_discard_threshold: float) -> Verdict:
    """Every comment waits for a human, except blatant spam, which is kept aside as ``spam``."""
    risk = max(scores.spam, scores.toxicity)
    reasons = list(scores.reasons)
    if scores.spam >= spam_discard_threshold:
        reasons.append({"source": "policy", "rule": "spam_discard", "score": scores.spam,
                        "threshold": spam_discard_threshold,
                        "detail": f"spam probability {scores.spam:.2f} >= {spam_discard_threshold}: filed as spam"})
        return Verdict(Status.SPAM, risk, reasons)
    return Verdict(Status.PENDING, risk, reasons)
