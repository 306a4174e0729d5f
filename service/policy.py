"""Scores and signals in, status and reasons out. Thresholds and modes come from config.

Default: every comment waits for a human (``pending``). Comments the policy is sure of
(blatant spam, honeypot, blocked author or word) go to ``spam``: kept for review, never
public. Opt-in: low-risk comments from trusted commenters are approved. A signal in
shadow mode is recorded with what it would have done, and does nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from classifier import Scores
from service.config import defaults
from service.keys import Status

SPAM_RULES = frozenset({"honeypot", "blocked_author", "block_word", "spam_discard"})
HOLD_RULES = frozenset({"time_trap", "too_many_links", "hold_word", "held_author", "spam_wave",
                        "classifier_unavailable"})


@dataclass(frozen=True)
class PolicySettings:
    spam_discard_threshold: float = defaults()["SPAM_DISCARD_THRESHOLD"]  # one default, in service.config
    auto_approve: bool = False
    auto_approve_max_risk: float = 0.2
    trusted_priority_factor: float = 0.5
    shadow: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> PolicySettings:
        """The policy's thresholds and modes from the config."""
        shadow = frozenset(s.strip() for s in cfg["SHADOW_SIGNALS"].split(",") if s.strip())
        return cls(cfg["SPAM_DISCARD_THRESHOLD"], cfg["AUTO_APPROVE"], cfg["AUTO_APPROVE_MAX_RISK"],
                   cfg["TRUSTED_PRIORITY_FACTOR"], shadow)


@dataclass(frozen=True)
class Verdict:
    """Where a scored comment goes, how risky it is, and why."""

    status: Status
    risk: float
    reasons: list[dict[str, Any]] = field(default_factory=list)


def _act(reasons: list[dict[str, Any]], shadow: frozenset[str]) -> tuple[bool, bool]:
    """(file as spam, hold from auto-approval), marking shadowed reasons as such."""
    spam = hold = False
    for reason in reasons:
        rule = reason.get("rule", "")
        if rule not in SPAM_RULES and rule not in HOLD_RULES:
            continue
        if rule in shadow:
            reason["shadow"] = True
            reason["detail"] += f" (shadow mode: would {'file as spam' if rule in SPAM_RULES else 'hold'})"
            continue
        spam |= rule in SPAM_RULES
        hold |= rule in HOLD_RULES
    return spam, hold


def decide(scores: Scores | None, signals: list[dict[str, Any]], settings: PolicySettings,
           trusted: int = 0, attempts: int = 0, why: str = "") -> Verdict:
    """Weigh the model's scores (None when it failed ``attempts`` times, or ``why``) and the submission's signals."""
    reasons = [dict(r) for r in signals]
    if scores is None:
        failed = why or f"the classifier failed {attempts} time(s)"
        reasons.append({"source": "policy", "rule": "classifier_unavailable", "count": attempts,
                        "detail": f"{failed}; a human must decide"})
        risk = 1.0
    else:
        reasons += [dict(r) for r in scores.reasons]
        risk = max(scores.spam, scores.toxicity)
        if scores.spam >= settings.spam_discard_threshold:
            reasons.append({"source": "policy", "rule": "spam_discard", "score": scores.spam,
                            "threshold": settings.spam_discard_threshold,
                            "detail": f"spam probability {scores.spam:.2f} >= {settings.spam_discard_threshold}"})
    spam, hold = _act(reasons, settings.shadow)
    # A moderator trusted this author ("approve and trust"): approved when low-risk, whatever AUTO_APPROVE says.
    vouched = any(r.get("rule") == "trusted_author" for r in reasons)
    if trusted:
        reasons.append({"source": "policy", "rule": "trusted_commenter", "count": trusted,
                        "detail": f"{trusted} earlier comment(s) approved: lower priority"})
    if spam:
        return Verdict(Status.SPAM, risk, reasons)
    if (settings.auto_approve and trusted or vouched) and not hold and scores is not None \
            and risk <= settings.auto_approve_max_risk:
        reasons.append({"source": "policy", "rule": "auto_approved", "score": round(risk, 4),
                        "threshold": settings.auto_approve_max_risk,
                        "detail": f"trusted commenter and risk {risk:.2f} <= {settings.auto_approve_max_risk}"})
        return Verdict(Status.APPROVED, risk, reasons)
    return Verdict(Status.PENDING, risk * settings.trusted_priority_factor if trusted else risk, reasons)
