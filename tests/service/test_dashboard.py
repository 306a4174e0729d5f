"""The "Statistiques" tab's daily rollups: written as comments move, read as a month of hashes, never a scan."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient

from service import dashboard
from service.keys import Status
from service.store import CommentStore
from tests.conftest import comment_payload, scoring_worker
from tests.service.test_moderation import submit


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def test_outcomes_delays_toxicity_and_depth_are_rolled_up_per_day(app: Flask, client: FlaskClient,
                                                                  store: CommentStore, auth: dict[str, str]) -> None:
    ids = [submit(client, content=f"Un avis numéro {i}.", email=f"a{i}@example.fr") for i in range(4)]
    toxic = submit(client, content="Espèce de connard, tais-toi.", email="b@example.fr")
    worker = scoring_worker(app)
    worker.ensure_group()
    worker.step()
    for comment_id, action in zip(ids, ["approve", "approve", "reject", "spam"], strict=True):
        assert client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=auth,
                           json={"action": action}).status_code == 200
    client.post(f"/api/v1/moderation/comments/{toxic}/decision", headers=auth,
                json={"action": "reject", "reason": "toxic"})
    day = store.daily([today()])[today()]
    assert day["pending:auto"] == 5  # the scoring worker filed them for review
    assert (day["approved:hand"], day["rejected:hand"], day["spam:hand"]) == (2, 2, 1)
    assert day["toxic:flagged"] == 1  # the model had scored it toxic before the moderator said so
    assert sum(v for k, v in day.items() if k.startswith("delay:")) == 5
    assert day[f"depth:{dt.datetime.now(dt.UTC):%H}"] == 0  # the queue is empty after the last decision


def test_an_undone_decision_is_taken_back(app: Flask, store: CommentStore) -> None:
    client = app.test_client()
    comment_id = client.post("/api/v1/comments", json=comment_payload()).get_json()["id"]
    worker = scoring_worker(app)
    worker.ensure_group()
    worker.step()
    store.transition(comment_id, (Status.PENDING,), Status.APPROVED, "alice", "approve")
    store.transition(comment_id, (Status.APPROVED,), Status.PENDING, "alice", "undo")
    assert store.daily([today()])[today()].get("approved:hand") == 0


def test_delay_quantiles_from_the_log2_histogram() -> None:
    histogram = {2: 5, 6: 4, 10: 1}  # 5 decisions within 4-8 s, 4 within 64-128 s, 1 within 1024-2048 s
    assert dashboard.delay_quantile(histogram, 0.5) == 2 ** 2.5
    assert dashboard.delay_quantile(histogram, 0.9) == 2 ** 6.5
    assert dashboard.delay_quantile({}, 0.5) is None
    assert [dashboard.human(s) for s in (40, 180, 7200, 4 * 86400)] == ["40 s", "3 min", "2 h", "4 j"]


def test_a_month_of_days_draws_bars_and_a_depth_line() -> None:
    days = dashboard.last_days(dt.date(2026, 12, 4), 30)
    assert days[0] == "2026-11-05" and days[-1] == "2026-12-04"
    rollups = {d: {} for d in days}
    rollups["2026-12-03"] = {"approved:hand": 3, "spam:auto": 7, "depth:09": 12, "delay:5": 3}
    rollups["2026-12-04"] = {"rejected:hand": 1, "depth:02": 4}
    board = dashboard.build(rollups)
    assert board.peak == 10 and len(board.bars) == 3
    assert max(b.h for b in board.bars) < dashboard.HEIGHT and board.depth_max == 12
    assert len(board.depth) == 30 * 24  # every hour, the last level carried over the quiet ones
    assert dashboard.summary(board)["spam_auto_share"] == 100


def test_days_and_hours_are_the_sites_own(app: Flask, store: CommentStore) -> None:
    """MODERATION_TIME_ZONE: a decision counts in the site's day and hour (UTC+14 is a day ahead of UTC at times)."""
    from zoneinfo import ZoneInfo

    far_east = CommentStore(store.redis, store.keys, zone="Pacific/Kiritimati")
    comment_id = app.test_client().post("/api/v1/comments", json=comment_payload()).get_json()["id"]
    worker = scoring_worker(app)
    worker.ensure_group()
    worker.step()
    far_east.transition(comment_id, (Status.PENDING,), Status.APPROVED, "alice", "approve")
    local = dt.datetime.now(ZoneInfo("Pacific/Kiritimati"))
    counts = far_east.daily([local.date().isoformat()])[local.date().isoformat()]
    assert counts["approved:hand"] == 1 and f"depth:{local:%H}" in counts
