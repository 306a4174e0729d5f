"""CommentStore: comments, their indexes, the scoring stream and the audit trail in Redis.

Every change is one atomic step (MULTI/EXEC or the transition script) so that no reader
ever sees a comment in two statuses or in none.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from redis.cluster import RedisCluster

from service.antiabuse import Admission, Refused
from service.keys import Keys, Status

_TRANSITION = (Path(__file__).parent / "transition.lua").read_text()
_ERASE = (Path(__file__).parent / "erase.lua").read_text()
_SUBMIT = (Path(__file__).parent / "submit.lua").read_text()
IDEMPOTENCY_SECONDS = 24 * 3600
_JSON_FIELDS = ("scores", "reasons", "signals")


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Outcome:
    """What a transition did: ``ok``, ``conflict`` (status was ``previous``) or ``missing``."""

    result: str
    previous: str


@dataclass(frozen=True)
class Move:
    """One requested status change (see ``CommentStore.transition``)."""

    comment_id: str
    allowed: tuple[Status, ...]
    to: Status
    actor: str
    reason: str
    fields: dict[str, Any] | None = None
    risk: float | None = None
    ack: str = ""


class BadCursor(ValueError):
    """A pagination cursor this store did not write."""


class CommentStore:
    """Redis behind a small class: injected connection, keys from one prefix, JSON payloads."""

    def __init__(self, client: redis.Redis, prefix: str = "moderation", wait_replicas: int = 0,
                 wait_ms: int = 1000):
        self.redis = client
        # With replicas (Sentinel), a comment is acknowledged only once this many replicas have it.
        self.wait_replicas, self.wait_ms = wait_replicas, wait_ms
        self.keys = Keys(prefix)
        self._transition = client.register_script(_TRANSITION)
        self._erase = client.register_script(_ERASE)
        self._submit = client.register_script(_SUBMIT)

    # -- writing -------------------------------------------------------------------------------
    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def submit(self, comment: dict[str, Any], comment_id: str, admission: Admission,
               idempotent: tuple[str, str] | None = None) -> int:
        """Admit and store a new comment as ``received``, enqueued for scoring: one script, one round trip.

        Raises antiabuse.Refused (flood, rate, duplicate) having written nothing. ``idempotent`` =
        (key hash, answer JSON) records the answer in the same step. Returns the spam-wave size.
        """
        created_us = time.time_ns() // 1000  # microseconds: exact in a double, and sequential submissions never tie
        record = {k: json.dumps(v) if k in _JSON_FIELDS else str(v) for k, v in comment.items() if v is not None}
        record.update(id=comment_id, status=Status.RECEIVED.value, created_us=str(created_us), created_at=now_iso(),
                      risk="0")
        k, status, post = self.keys, Status.RECEIVED.value, str(comment["post_id"])
        idem_key, idem_value = (k.idempotency(idempotent[0]), idempotent[1]) if idempotent else (k.idempotency("-"), "")
        script_keys = [k.comment(comment_id), k.by_time(status), k.by_risk(status), k.post_by_time(post, status),
                       k.post_by_risk(post, status), k.incoming, k.audit, k.by_email(record.get("email_hash", "-")),
                       *admission.keys, idem_key, k.events, *admission.wave_keys]
        script_args = [comment_id, json.dumps(record), created_us, record["created_at"], *admission.args, idem_value,
                       IDEMPOTENCY_SECONDS]
        if self.wait_replicas:
            pipe = self.redis.pipeline(transaction=False)
            self._submit(keys=script_keys, args=script_args, client=pipe)
            pipe.execute_command("WAIT", self.wait_replicas, self.wait_ms)
            (result, value), replicas = pipe.execute()
            if result == "ok" and int(replicas) < self.wait_replicas:
                raise redis.exceptions.TimeoutError(f"comment reached {replicas} of {self.wait_replicas} replicas")
        else:
            result, value = self._submit(keys=script_keys, args=script_args)
        if result != "ok":
            raise Refused(result, int(value) / 1000)
        return int(value)

    def transition(self, comment_id: str, allowed: tuple[Status, ...], to: Status, actor: str, reason: str,
                   fields: dict[str, Any] | None = None, risk: float | None = None, ack: str = "") -> Outcome:
        """Move a comment if its status is one of ``allowed``; audit it; optionally ack its stream entry."""
        return self.transition_many([Move(comment_id, allowed, to, actor, reason, fields, risk, ack)])[0]

    def transition_many(self, moves: list[Move]) -> list[Outcome]:
        """Several transitions in one round trip; each is atomic on its own."""
        k = self.keys
        calls = []
        for m in moves:
            extra = {f: json.dumps(v) if f in _JSON_FIELDS else str(v) for f, v in (m.fields or {}).items()
                     if v is not None}
            calls.append(([k.comment(m.comment_id), k.audit, k.incoming, k.events],
                          [m.comment_id, " ".join(s.value for s in m.allowed), m.to.value, m.actor, m.reason,
                           now_iso(), json.dumps(extra), "" if m.risk is None else repr(float(m.risk)), m.ack,
                           k.SCORING_GROUP, *k.templates()]))
        return [Outcome(result, previous) for result, previous in self._run(self._transition, calls)]

    def _run(self, script: Any, calls: list[tuple[list[str], list[Any]]]) -> list[Any]:
        """Run a script once per (keys, args): pipelined on one server; one call at a time on a
        Redis Cluster, whose client does not pipeline scripts."""
        if isinstance(self.redis, RedisCluster):
            return [script(keys=keys, args=args) for keys, args in calls]
        pipe = self.redis.pipeline(transaction=False)
        for keys, args in calls:
            script(keys=keys, args=args, client=pipe)
        return pipe.execute() if calls else []

    def erase(self, comment_ids: list[str]) -> int:
        """Delete comments and every index entry naming them; returns how many existed."""
        k = self.keys
        calls = [([k.comment(c)], [c, *k.templates(), k.by_email("%s")]) for c in comment_ids]
        return sum(self._run(self._erase, calls))

    def claim_idempotency(self, key_hash: str, seconds: int = 30) -> str | None:
        """Mark a key as in progress; returns the stored response (or 'pending') if it was already taken."""
        k = self.keys.idempotency(key_hash)
        if self.redis.set(k, "pending", nx=True, ex=seconds):
            return None
        return self.redis.get(k) or "pending"

    def release_idempotency(self, key_hash: str) -> None:
        """Forget an in-progress key whose request failed, so that a retry runs again."""
        self.redis.delete(self.keys.idempotency(key_hash))

    # -- reading -------------------------------------------------------------------------------
    def get(self, comment_id: str) -> dict[str, Any] | None:
        return self._decode(self.redis.hgetall(self.keys.comment(comment_id)))

    def get_each(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """Comments in the order asked (None where missing), in one round trip."""
        pipe = self.redis.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hgetall(self.keys.comment(comment_id))
        return [self._decode(raw) for raw in pipe.execute()] if ids else []

    def get_many(self, ids: list[str]) -> list[dict[str, Any]]:
        return [c for c in self.get_each(ids) if c]

    def is_published_on(self, comment_id: str, post_id: str) -> bool:
        """True when ``comment_id`` is an approved comment of ``post_id`` (a valid reply parent)."""
        status, post = self.redis.hmget(self.keys.comment(comment_id), ["status", "post_id"])
        return status == Status.APPROVED.value and post == post_id

    def page(self, status: Status, sort: str = "oldest", post_id: str | None = None, cursor: str | None = None,
             limit: int = 50) -> tuple[list[dict[str, Any]], str | None]:
        """A page of comments in ``status`` by time or risk, from an opaque cursor; no full scans."""
        k = self.keys
        if sort == "risk":
            key = k.post_by_risk(post_id, status.value) if post_id else k.by_risk(status.value)
        else:
            key = k.post_by_time(post_id, status.value) if post_id else k.by_time(status.value)
        ids, next_cursor = self._ids_after(key, desc=sort in ("newest", "risk"), cursor=cursor, limit=limit)
        return self.get_many(ids), next_cursor

    def _ids_after(self, key: str, desc: bool, cursor: str | None, limit: int) -> tuple[list[str], str | None]:
        start: float | str = "+inf" if desc else "-inf"
        last = None
        if cursor:
            try:
                raw_score, last = cursor.split("_", 1)
                start = float(raw_score)
            except ValueError as exc:
                raise BadCursor(cursor) from exc
        end = "-inf" if desc else "+inf"
        found: list[tuple[str, float]] = []
        offset = 0
        while len(found) <= limit:
            batch = self.redis.zrange(key, start, end, desc=desc, byscore=True, offset=offset, num=limit + 1,
                                      withscores=True)
            for member, score in batch:
                if last is not None and score == start and (member >= last if desc else member <= last):
                    continue  # ties at the cursor's score that the previous page already returned
                found.append((member, score))
            offset += len(batch)
            if len(batch) < limit + 1:
                break
        page, more = found[:limit], len(found) > limit
        next_cursor = f"{page[-1][1]!r}_{page[-1][0]}" if more and page else None
        return [member for member, _ in page], next_cursor

    def trust_counts(self, email_hashes: list[str]) -> list[int]:
        """Approved-comment counts for hashed emails ('' counts 0)."""
        if not email_hashes:
            return []
        values = self.redis.mget([self.keys.trust(h or "-") for h in email_hashes])
        return [max(0, int(v)) if v and h else 0 for v, h in zip(values, email_hashes, strict=True)]

    def record_feedback(self, label: str, source: str, fields: dict[str, str]) -> None:
        """Keep a moderator label (spam/ham, toxic/civil) for the next model to learn from."""
        self.redis.xadd(self.keys.feedback, {"label": label, "source": source, "at": now_iso(), **fields},
                        maxlen=100_000, approximate=True)

    def counts(self) -> dict[str, int]:
        """How many comments are in each status."""
        pipe = self.redis.pipeline(transaction=False)
        for status in Status:
            pipe.zcard(self.keys.by_time(status.value))
        return {status.value: n for status, n in zip(Status, pipe.execute(), strict=True)}

    def audit_entries(self, count: int = 1000) -> list[dict[str, str]]:
        return [fields for _, fields in self.redis.xrange(self.keys.audit, count=count)]

    @staticmethod
    def _decode(raw: dict[str, str]) -> dict[str, Any] | None:
        if not raw:
            return None
        out: dict[str, Any] = dict(raw)
        for name in _JSON_FIELDS:
            out[name] = json.loads(raw[name]) if name in raw else (None if name == "scores" else [])
        out["risk"] = float(raw.get("risk", 0))
        for name in ("url", "parent_id"):
            out.setdefault(name, None)
        return out
