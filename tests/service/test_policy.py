"""The policy: scores and signals in, status and reasons out."""

from __future__ import annotations

import pytest
from flask import Flask

from classifier import Scores
from service import create_app
from service.keys import Status
from service.policy import PolicySettings, decide
from service.worker import WorkerSettings, policy_settings
from tests.conftest import comment_payload, scoring_worker

CIVIL = Scores(spam=0.02, toxicity=0.05, language="fr", version="t")
SPAMMY = Scores(spam=0.99, toxicity=0.05, language="en", version="t")


def signal(rule: str) -> dict[str, object]:
    return {"source": "signals", "rule": rule, "detail": rule}


@pytest.mark.parametrize(("scores", "signals", "status"), [
    (CIVIL, [], Status.PENDING),  # every comment waits for a human by default
    (SPAMMY, [], Status.SPAM),
    (CIVIL, [signal("honeypot")], Status.SPAM),
    (CIVIL, [signal("blocked_author")], Status.SPAM),
    (CIVIL, [signal("block_word")], Status.SPAM),
    (CIVIL, [signal("hold_word")], Status.PENDING),
    (None, [], Status.PENDING),  # classifier failure: still queued, never approved
])
def test_default_policy(scores: Scores | None, signals: list[dict[str, object]], status: Status) -> None:
    verdict = decide(scores, signals, PolicySettings())
    assert verdict.status == status
    assert verdict.reasons or status == Status.PENDING


@pytest.mark.parametrize(("scores", "signals", "status"), [
    (CIVIL, [signal("trusted_author")], Status.APPROVED),  # a moderator vouched for them: no waiting
    (Scores(spam=0.02, toxicity=0.4, language="fr", version="t"), [signal("trusted_author")], Status.PENDING),
    (CIVIL, [signal("trusted_author"), signal("hold_word")], Status.PENDING),  # a held word still waits
    (None, [signal("trusted_author")], Status.PENDING),  # unscored: a human decides
])
def test_a_trusted_author_is_approved_when_low_risk_even_without_auto_approve(
        scores: Scores | None, signals: list[dict[str, object]], status: Status) -> None:
    assert decide(scores, signals, PolicySettings(auto_approve=False)).status == status


def test_the_strongest_author_rule_wins() -> None:
    from service.antiabuse import _strongest

    found = ['{"mode": "trust"}', None, '{"mode": "block"}', '{"mode": "hold"}']
    assert _strongest(found)["mode"] == "block"  # type: ignore[index]
    assert _strongest(['{"mode": "trust"}', '{"mode": "hold"}'])["mode"] == "hold"  # type: ignore[index]
    assert _strongest([None]) is None


def test_shadow_mode_records_without_acting() -> None:
    verdict = decide(CIVIL, [signal("honeypot")], PolicySettings(shadow=frozenset({"honeypot"})))
    assert verdict.status == Status.PENDING
    [honeypot] = [r for r in verdict.reasons if r["rule"] == "honeypot"]
    assert honeypot["shadow"] is True and "would file as spam" in honeypot["detail"]


@pytest.mark.parametrize(("trusted", "signals", "scores", "status"), [
    (1, [], CIVIL, Status.APPROVED),
    (0, [], CIVIL, Status.PENDING),  # never for a first-time commenter
    (3, [signal("too_many_links")], CIVIL, Status.PENDING),  # a hold signal blocks approval
    (3, [], Scores(0.3, 0.1, "fr", "t"), Status.PENDING),  # above the risk limit
    (3, [], None, Status.PENDING),  # never without a score
])
def test_opt_in_auto_approval_of_trusted_commenters(trusted: int, signals: list[dict[str, object]],
                                                    scores: Scores | None, status: Status) -> None:
    assert decide(scores, signals, PolicySettings(auto_approve=True), trusted).status == status


def test_trusted_commenters_get_lower_priority() -> None:
    plain = decide(CIVIL, [], PolicySettings()).risk
    assert decide(CIVIL, [], PolicySettings(), trusted=2).risk == pytest.approx(plain / 2)


def _app(settings: dict[str, object], **overrides: object) -> Flask:
    return create_app({**settings, **overrides})


def _score(app: Flask) -> None:
    app.extensions["moderation.store"]
    worker = scoring_worker(app, WorkerSettings(block_ms=10, policy=policy_settings(app.config)), "t")
    worker.ensure_group()
    worker.step()


def test_shadow_mode_end_to_end(settings: dict[str, object]) -> None:
    app = _app(settings, SHADOW_SIGNALS="honeypot, time_trap")
    comment_id = app.test_client().post("/api/v1/comments", json=comment_payload(contact_website="x")).get_json()["id"]
    _score(app)
    comment = app.extensions["moderation.store"].get(comment_id)
    assert comment["status"] == "pending"
    assert any(r["rule"] == "honeypot" and r.get("shadow") for r in comment["reasons"])


def test_auto_approve_end_to_end(settings: dict[str, object], token: str) -> None:
    app = _app(settings, AUTO_APPROVE=True)
    client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
    first = client.post("/api/v1/comments", json=comment_payload(content="Très bon article.")).get_json()["id"]
    _score(app)
    assert client.post(f"/api/v1/moderation/comments/{first}/decision", json={"action": "approve"},
                       headers=auth).status_code == 200
    second = client.post("/api/v1/comments", json=comment_payload(content="Merci encore, c'est clair.")).get_json()
    _score(app)
    comment = app.extensions["moderation.store"].get(second["id"])
    assert comment["status"] == "approved" and comment["decided_by"] == "policy:auto_approve"
    assert second["id"] in [c["id"] for c in client.get("/api/v1/posts/42/comments").get_json()["items"]]
