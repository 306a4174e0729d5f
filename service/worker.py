"""The scoring worker: a Redis Streams consumer that scores comments in batches.

Several workers share the consumer group. An entry is acknowledged in the same atomic
step that files its comment, so a worker that dies mid-batch leaves its entries pending;
another worker reclaims them (XAUTOCLAIM) once they have been idle long enough. A comment
delivered more than ``max_attempts`` times is queued for humans as ``classifier_unavailable``,
and so is one whose scoring alone overruns ``score_budget_seconds``: one comment can cost a
worker a bounded time, once, never a second worker's too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

import classifier
from service import metrics, policy, signals
from service.keys import Status
from service.privacy import truncate_ip
from service.registry import ModelWatcher
from service.resources import Resources
from service.store import Move, now_iso
from service.webhooks import Deliverer, WebhookSettings

log = logging.getLogger(__name__)

Entry = tuple[str, str, dict[str, str]]  # (stream, entry id, fields)
Scoring = tuple[str, str, dict[str, Any]]  # (stream, entry id, comment)


@dataclass(frozen=True)
class WorkerSettings:
    batch: int = 64
    block_ms: int = 1000
    claim_idle_ms: int = 30_000
    max_attempts: int = 3
    score_budget_seconds: float = 5.0
    policy: policy.PolicySettings = field(default_factory=policy.PolicySettings)
    retention_days: dict[str, float] = field(default_factory=lambda: {"spam": 30.0, "rejected": 30.0})
    retention_interval_seconds: int = 3600
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    retrain_every_labels: int = 0
    retrain_min_labels: int = 50
    training_data: str | None = None  # set: automatic retrains fit the heads again on it (minutes, in a thread)

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> WorkerSettings:
        retention = {"spam": cfg["RETENTION_SPAM_DAYS"], "rejected": cfg["RETENTION_REJECTED_DAYS"]}
        return cls(cfg["WORKER_BATCH"], cfg["WORKER_BLOCK_MS"], cfg["WORKER_CLAIM_IDLE_MS"],
                   cfg["WORKER_MAX_ATTEMPTS"], cfg["WORKER_SCORE_BUDGET_SECONDS"], policy_settings(cfg), retention,
                   cfg["RETENTION_INTERVAL_SECONDS"], WebhookSettings.from_config(cfg), cfg["RETRAIN_EVERY_LABELS"],
                   cfg["RETRAIN_MIN_LABELS"], cfg["TRAINING_DATA"])


policy_settings = policy.PolicySettings.from_config


def door_scores(comment: dict[str, Any]) -> classifier.Scores:
    """The verdict a compat door computed in the request (see ``Intake.with_scores``)."""
    scored = dict(comment["scores"])
    spam, toxicity = scored.pop("spam"), scored.pop("toxicity")
    return classifier.Scores(spam, toxicity, comment.get("language") or "", comment.get("model_version") or "",
                             list(comment.get("door_reasons") or []), scored)


class OverBudget(Exception):
    """Scoring ran past its time budget."""


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise OverBudget in this thread once ``seconds`` have passed (the regex engine and Python code
    check signals, so even a pathological input is interrupted). Off the main thread, or with 0, no limit."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise OverBudget()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class ScoringWorker:
    """Reads the incoming stream, scores, and hands each verdict to the store."""

    def __init__(self, resources: Resources, model: classifier.Model, settings: WorkerSettings,
                 name: str | None = None):
        self.resources = resources
        self.store = store = resources.store
        self.model = model
        self.settings = settings
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.group = store.keys.SCORING_GROUP
        self.streams = [store.keys.incoming(shard) for shard in store.keys.all_shards()]
        self.deliverer = Deliverer(store, settings.webhooks, self.name) if settings.webhooks.active else None
        self.watcher: ModelWatcher | None = None  # follows the registry's active model between batches
        self._watched = 0.0
        self._retraining: threading.Thread | None = None

    def ensure_group(self) -> None:
        """Create the consumer groups from the streams' start, so nothing enqueued earlier is missed."""
        self.store.check_layout()
        self.store.create_groups(self.group, self.streams, "0")

    def run(self, stop: threading.Event) -> None:
        """Score until ``stop`` is set; survive Redis outages by waiting and retrying."""
        log.info("scoring worker %s started (model %s)", self.name, self.model.version)
        while not stop.is_set():
            try:
                self.ensure_group()
                if self.deliverer:
                    self.deliverer.ensure_group()
                while not stop.is_set():
                    self.follow_model()
                    self.step()
                    self.maybe_purge()
                    self.maybe_retrain()
                    if self.deliverer:
                        self.deliverer.step()
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                metrics.REDIS_ERRORS.labels("worker").inc()
                log.warning("worker %s: Redis unavailable (%s); retrying", self.name, type(exc).__name__)
                stop.wait(1.0)
        if self._retraining is not None and self._retraining.is_alive():  # dies with the process: let another try
            with contextlib.suppress(redis.exceptions.RedisError):
                self.store.unlock("retrain", self.name)
                self.store.labels.mark_trained(0)
        log.info("scoring worker %s stopped", self.name)

    def follow_model(self) -> None:
        """Between batches, at most every MODEL_POLL_SECONDS: switch to the registry's active model."""
        if self.watcher is None or self.watcher.every <= 0:
            return
        now = time.monotonic()
        if now - self._watched >= self.watcher.every:
            self._watched = now
            self.watcher.check()

    def maybe_retrain(self) -> str | None:
        """With RETRAIN_EVERY_LABELS, once that many labels arrived since the last run: retrain and gate, in one
        worker of the deployment at a time (a lock). A site adapter takes seconds: this worker scores nothing
        meanwhile, the others go on. A retrain on the training data takes minutes: it runs in a thread and this
        worker goes on scoring (it returns ``retraining``; the verdict is logged). Returns the gate's verdict
        line, or None when it was not this worker's turn."""
        every = self.settings.retrain_every_labels
        if every <= 0 or (self._retraining is not None and self._retraining.is_alive()):
            return None
        if self.store.labels.total() - self.store.labels.trained_at() < every:
            return None
        training = Path(self.settings.training_data) if self.settings.training_data else None
        if not self.store.lock("retrain", self.name, 600 if training is None else 3 * 3600):
            return None
        total = self.store.labels.total()
        self.store.labels.mark_trained(total)  # counted now: a refused candidate waits for N more labels
        shipped = self.watcher.shipped() if self.watcher else classifier.load()
        if training is None:
            return self._retrain(total, shipped, None)
        self._retraining = threading.Thread(target=self._retrain_logged, args=(total, shipped, training),
                                            daemon=True, name=f"retrain-{self.name}")
        self._retraining.start()
        return "retraining"

    def _retrain_logged(self, total: int, shipped: classifier.Model, training: Path) -> None:
        try:
            self._retrain(total, shipped, training)
        except Exception:  # a thread's failure must reach the log (its lock is gone already)
            log.exception("retrain after %d labels failed", total)

    def _retrain(self, total: int, shipped: classifier.Model, training: Path | None) -> str | None:
        from service import learning

        try:
            outcome = learning.retrain(self.store, self.resources.registry, self.model, shipped, None,
                                       self.settings.retrain_min_labels, training=training)
        except learning.NothingTrained as exc:
            log.info("retrain: %s", exc)
            return None
        finally:
            self.store.unlock("retrain", self.name)
        verdict = f"promoted {outcome.version}" if outcome.promoted else f"kept {outcome.version}: {outcome.why}"
        log.info("retrain after %d labels: %s", total, verdict)
        if outcome.promoted and self.watcher and training is None:
            self.watcher.check()  # a thread's promotion is picked up by follow_model, on this worker's own thread
        return verdict

    def maybe_purge(self) -> int:
        """Purge expired spam and rejected comments, at most once per interval across all workers."""
        if not self.store.lock("retention", self.name, self.settings.retention_interval_seconds):
            return 0
        return self.purge()

    def purge(self) -> int:
        """Delete spam and rejected comments older than their retention period."""
        now_us = time.time() * 1_000_000
        purged = 0
        for status, days in self.settings.retention_days.items():
            for shard in self.store.keys.all_shards():
                while ids := self.store.older_than(Status(status), shard, now_us - days * 86_400_000_000, 500):
                    purged += self.store.erase(ids)
        if purged:
            log.info("retention: purged %d comment(s)", purged)
        return purged

    def step(self) -> int:
        """Reclaim stale entries, else read new ones; score and file them. Returns how many were filed."""
        entries = self._claim_stale()
        if entries:
            return self.process(entries)
        entries = self._read_new()
        return self.process(entries, first_delivery=True) if entries else 0

    def _claim_stale(self) -> list[Entry]:
        return self.store.claim_stale(self.group, self.name, self.streams, self.settings.claim_idle_ms,
                                      self.settings.batch)

    def _read_new(self) -> list[Entry]:
        return self.store.read_group(self.group, self.name, self.streams, self.settings.batch,
                                     self.settings.block_ms)

    def process(self, entries: list[Entry], first_delivery: bool = False) -> int:
        """Gather each comment's signals, score the batch and file every comment: three pipelined round trips
        per batch (statuses and trust; waves and author rules; filing), each filing one atomic step that also
        writes the comment from its stream entry when no one has yet."""
        k = self.store.keys
        ids = [k.comment_id(entry_id, fields["id_suffix"]) if "id_suffix" in fields else fields.get("id", "")
               for _, entry_id, fields in entries]
        records = [self.store.from_entry(i, fields) if "id_suffix" in fields else None
                   for i, (_, _, fields) in zip(ids, entries, strict=True)]
        statuses, trust = self.store.lookup(ids, [(r or {}).get("email_hash", "") for r in records])
        # Written already (a moderator decided before the worker came, a replayed entry, an older writer): read it.
        written = [i for i, status in enumerate(statuses) if status is not None or records[i] is None]
        for i, comment in zip(written, self.store.get_each([ids[i] for i in written]), strict=True):
            records[i] = comment
        # New entries have been delivered once; only reclaimed ones need asking Redis how often.
        attempts = [1] * len(entries) if first_delivery else self.store.deliveries(self.group, entries)
        waiting = {i: c for i, c in enumerate(records) if c and c["status"] == Status.RECEIVED.value}
        facts = dict(zip(waiting, self.resources.guard.facts(list(waiting.values())), strict=True))
        moves: list[Move] = []
        to_score: list[Scoring] = []
        gone: list[tuple[str, str]] = []
        for i, ((stream, entry_id, _), comment, tries) in enumerate(zip(entries, records, attempts, strict=True)):
            if comment is None:  # erased before it was scored: only the entry is left
                gone.append((stream, entry_id))
                continue
            if i not in facts:
                moves.append(Move(comment["id"], (Status.RECEIVED,), Status.RECEIVED, self.actor, "already filed",
                                  ack=entry_id))
                continue
            comment["signals"] = signals.collect(self.resources.signals, self.resources.words, comment, facts[i])
            comment["trusted"] = trust[i] if comment.get("email_hash") else 0
            comment["entry"] = entry_id if statuses[i] is None else ""
            if comment.get("scores") is not None:  # scored in the request by a compat door: not scored again
                scores = door_scores(comment)
                verdict = policy.decide(scores, comment["signals"], self.settings.policy, comment["trusted"])
                moves.append(self._move(entry_id, comment, verdict, scores))
            elif tries > self.settings.max_attempts:
                verdict = policy.decide(None, comment["signals"], self.settings.policy, comment["trusted"], tries - 1)
                moves.append(self._move(entry_id, comment, verdict, None))
            else:
                to_score.append((stream, entry_id, comment))
        if gone:
            self.store.drop_entries(self.group, gone)
        moves += self._score(to_score)
        outcomes = self.store.transition_many(moves) if moves else []
        for move, outcome in zip(moves, outcomes, strict=True):
            if outcome.result == "ok":
                metrics.FILED.labels(move.to.value).inc()
        return sum(o.result == "ok" for o in outcomes)

    @property
    def actor(self) -> str:
        return f"worker:{self.name}"

    def _score(self, batch: list[Scoring]) -> list[Move]:
        """Score the batch within one comment's budget; past it, or on an error, each comment on its own."""
        if not batch:
            return []
        try:
            with metrics.CLASSIFIER.labels("batch").time(), time_budget(self.settings.score_budget_seconds):
                scores = self.model.score_many([c for _, _, c in batch])
        except OverBudget:
            if len(batch) == 1:
                return [self._unscorable(*batch[0][1:], f"scoring took over {self.settings.score_budget_seconds:g} s")]
            log.warning("a batch of %d overran the scoring budget; scoring one by one", len(batch))
            return self._one_by_one(batch)
        except Exception:
            if len(batch) == 1:
                log.exception("scoring failed; the comment stays for a retry")
                return []
            log.exception("batch scoring failed; scoring one by one")
            return self._one_by_one(batch)
        settings = self.settings.policy
        return [self._move(entry_id, comment, policy.decide(s, comment["signals"], settings, comment["trusted"]), s)
                for (_, entry_id, comment), s in zip(batch, scores, strict=True)]

    def _one_by_one(self, batch: list[Scoring]) -> list[Move]:
        moves = []
        for i, item in enumerate(batch):
            self._keep_claimed(batch[i:])
            moves += self._score([item])
        return moves

    def _keep_claimed(self, batch: list[Scoring]) -> None:
        """Reset the idle time of entries still being worked on, so that no other worker reclaims them meanwhile
        (JUSTID: their delivery count stays as it is)."""
        self.store.keep_claimed(self.group, self.name, [(s, entry_id) for s, entry_id, _ in batch])

    def _unscorable(self, entry_id: str, comment: dict[str, Any], why: str) -> Move:
        """Filed for humans at once: the same comment would overrun again, on this worker or another."""
        log.warning("comment %s: %s; queued as classifier_unavailable", comment["id"], why)
        verdict = policy.decide(None, comment["signals"], self.settings.policy, comment["trusted"], 1, why)
        return self._move(entry_id, comment, verdict, None)

    def _move(self, entry_id: str, comment: dict[str, Any], verdict: policy.Verdict,
              scores: classifier.Scores | None) -> Move:
        # Scored: the full address is no longer needed, keep only its network (GDPR minimisation).
        fields: dict[str, Any] = {"reasons": verdict.reasons, "signals": comment["signals"],
                                  "ip": truncate_ip(comment.get("ip"))}
        if scores is not None:
            fields.update(scores={"spam": scores.spam, "toxicity": scores.toxicity, **scores.subscores},
                          language=scores.language,
                          model_version=scores.version)
        if verdict.status == Status.APPROVED:
            fields.update(decided_by="policy:auto_approve", decided_at=now_iso())
        rules = ",".join(r["rule"] for r in verdict.reasons) or "scored"
        return Move(comment["id"], (Status.RECEIVED,), verdict.status, self.actor, rules, fields, verdict.risk,
                    ack=entry_id, entry=comment.get("entry", ""))
