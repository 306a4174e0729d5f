"""CommentStore: comments, their indexes, the scoring stream and the audit trail in Redis.

Every change is one atomic step (a Lua script) so that no reader ever sees a comment in two
statuses or in none. Comment data is spread over shards (see ``service.keys``); reads that
span the deployment (the review queue, counts, export) merge the shards' answers.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from redis.cluster import RedisCluster

from service.antiabuse import Admission, Refused
from service.keys import Keys, Status

_TRANSITION = (Path(__file__).parent / "transition.lua").read_text()
_ERASE = (Path(__file__).parent / "erase.lua").read_text()
_ADMIT = (Path(__file__).parent / "admit.lua").read_text()
_WRITE = (Path(__file__).parent / "write.lua").read_text()
# One server holds every slot: admission and storage run as one script, one round trip.
# ARGV 1 and 2 say how many of KEYS and ARGV belong to admission.
_SUBMIT = _ADMIT + _WRITE + """
local function part(t, from, to)
  local out = {}
  for i = from, to do out[#out + 1] = t[i] end
  return out
end
local ka, aa = tonumber(ARGV[1]), tonumber(ARGV[2])
local admit_keys, admit_argv = part(KEYS, 1, ka), part(ARGV, 3, 2 + aa)
local write_keys, write_argv = part(KEYS, ka + 1, #KEYS), part(ARGV, 3 + aa, #ARGV)
if is_duplicate(write_keys, write_argv) then return {'duplicate', 0} end
local admitted = admit(admit_keys, admit_argv)
if admitted[1] ~= 'ok' then return admitted end
return write(write_keys, write_argv, admitted[2], admitted[3])
"""
# A Redis Cluster: admission (its slot) first, then storage (the post's shard); see ``submit``.
_ADMIT_ALONE = _ADMIT + "\nreturn admit(KEYS, ARGV)\n"
_WRITE_ALONE = _WRITE + """
if is_duplicate(KEYS, ARGV) then return {'duplicate', 0} end
return write(KEYS, ARGV, tonumber(ARGV[9]), ARGV[10])
"""
IDEMPOTENCY_SECONDS = 24 * 3600
_JSON_FIELDS = ("scores", "reasons", "signals")


def shard_count(setting: int, client: redis.Redis) -> int:
    """``MODERATION_REDIS_SHARDS``; 0 means 1 on one server (or Sentinel) and 16 on a Cluster."""
    return setting or (16 if isinstance(client, RedisCluster) else 1)


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


class LayoutMismatch(RuntimeError):
    """Redis holds data written with another number of shards."""


class BadCursor(ValueError):
    """A pagination cursor this store did not write."""


class CommentStore:
    """Redis behind a small class: injected connection, keys from one prefix, JSON payloads."""

    def __init__(self, client: redis.Redis, prefix: str = "moderation", wait_replicas: int = 0,
                 wait_ms: int = 1000, shards: int = 1):
        self.redis = client
        self.cluster = isinstance(client, RedisCluster)
        # With replicas (Sentinel), a comment is acknowledged only once this many replicas have it.
        self.wait_replicas, self.wait_ms = wait_replicas, wait_ms
        self.keys = Keys(prefix, shards)
        self._transition = client.register_script(_TRANSITION)
        self._erase = client.register_script(_ERASE)
        self._submit = client.register_script(_SUBMIT)
        self._admit = client.register_script(_ADMIT_ALONE)
        self._write = client.register_script(_WRITE_ALONE)
        self._layout_checked = False
        self._turn = -1  # on a Cluster, the stream read_group last waited on

    def check_layout(self) -> None:
        """Record the number of shards on first use; refuse to run with a different one.

        A post's shard comes from its id modulo that number: changing it would hide every
        existing post's comments from its own page. Every process checks before its first
        submission, so data with no recorded number comes from a version without shards: one.
        """
        n, key = self.keys.shards, self.keys.layout
        recorded = self.redis.get(key)
        if recorded is None:
            self.redis.set(key, 1 if self.redis.exists(self.keys.audit(0)) else n, nx=True)
            recorded = self.redis.get(key)
        if int(recorded or n) != n:
            raise LayoutMismatch(f"this Redis holds data written with MODERATION_REDIS_SHARDS={recorded}, "
                                 f"not {n}: set it back to {recorded}")
        self._layout_checked = True

    # -- writing -------------------------------------------------------------------------------
    def new_id(self, post_id: str) -> str:
        """A new comment id for ``post_id``: it names the post's shard."""
        return self.keys.new_id(str(post_id))

    def submit(self, comment: dict[str, Any], comment_id: str, admission: Admission,
               idempotent: tuple[str, str] | None = None) -> int:
        """Admit and store a new comment as ``received``, enqueued for scoring.

        On one server (or Sentinel) this is one script and one round trip. On a Cluster the
        admission slot and the post's shard may be on different nodes: admission runs first,
        then storage; when storage refuses (duplicate) or fails, the admission's flood marks
        are taken back so that a retry is not refused for a comment that was never stored.
        Raises antiabuse.Refused (flood, rate, duplicate) having stored nothing. ``idempotent`` =
        (key hash, answer JSON) records the answer in the same step. Returns the spam-wave size.
        """
        if not self._layout_checked:
            self.check_layout()
        created_us = time.time_ns() // 1000  # microseconds: exact in a double, and sequential submissions never tie
        record = {k: json.dumps(v) if k in _JSON_FIELDS else str(v) for k, v in comment.items() if v is not None}
        record.update(id=comment_id, status=Status.RECEIVED.value, created_us=str(created_us), created_at=now_iso(),
                      risk="0")
        k, status, post = self.keys, Status.RECEIVED.value, str(comment["post_id"])
        shard = k.shard_of_id(comment_id)
        idem_hash, idem_value = idempotent if idempotent else ("-", "")
        write_keys = [k.comment(comment_id), k.by_time(status, shard), k.by_risk(status, shard),
                      k.post_by_time(post, status), k.post_by_risk(post, status), k.incoming(shard), k.audit(shard),
                      k.by_email(record.get("email_hash") or "-", shard), k.duplicate(post, admission.fingerprint),
                      k.idempotency(idem_hash, post), k.events(shard)]
        write_args = [comment_id, json.dumps(record), created_us, record["created_at"], admission.args[0],
                      admission.duplicate_seconds, idem_value, IDEMPOTENCY_SECONDS]
        if self.cluster:
            return self._submit_in_two_steps(admission, write_keys, write_args)
        script_keys = [*admission.keys, *write_keys]
        script_args = [len(admission.keys), len(admission.args), *admission.args, *write_args]
        if self.wait_replicas:
            pipe = self.redis.pipeline(transaction=False)
            self._submit(keys=script_keys, args=script_args, client=pipe)
            pipe.execute_command("WAIT", self.wait_replicas, self.wait_ms)
            answer, replicas = pipe.execute()
            if answer[0] == "ok" and int(replicas) < self.wait_replicas:
                raise redis.exceptions.TimeoutError(f"comment reached {replicas} of {self.wait_replicas} replicas")
        else:
            answer = self._submit(keys=script_keys, args=script_args)
        if answer[0] != "ok":
            raise Refused(answer[0], int(answer[1]) / 1000)
        return int(answer[1])

    def _submit_in_two_steps(self, admission: Admission, write_keys: list[str], write_args: list[Any]) -> int:
        admitted = self._admit(keys=admission.keys, args=admission.args)
        if admitted[0] != "ok":
            raise Refused(admitted[0], int(admitted[1]) / 1000)
        try:
            written = self._write(keys=write_keys, args=[*write_args, admitted[1], admitted[2]])
        except redis.exceptions.RedisError:
            self._take_back(admission)
            raise
        if written[0] != "ok":
            self._take_back(admission)
            raise Refused(written[0])
        return int(written[1])

    def _take_back(self, admission: Admission) -> None:
        """Remove the flood marks of an admission whose comment was not stored (best effort:
        they expire on their own within the flood interval)."""
        try:
            self.redis.delete(*admission.keys[:2])
        except redis.exceptions.RedisError:
            pass

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
            shard = k.shard_of_id(m.comment_id)
            calls.append(([k.comment(m.comment_id), k.audit(shard), k.incoming(shard), k.events(shard)],
                          [m.comment_id, " ".join(s.value for s in m.allowed), m.to.value, m.actor, m.reason,
                           now_iso(), json.dumps(extra), "" if m.risk is None else repr(float(m.risk)), m.ack,
                           k.SCORING_GROUP, *k.templates(shard)]))
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
        calls = [([k.comment(c)], [c, *k.templates(k.shard_of_id(c)), k.by_email("%s", k.shard_of_id(c))])
                 for c in comment_ids]
        return sum(self._run(self._erase, calls))

    def claim_idempotency(self, key_hash: str, post_id: str, seconds: int = 30) -> str | None:
        """Mark a key as in progress; returns the stored response (or 'pending') if it was already taken."""
        k = self.keys.idempotency(key_hash, post_id)
        if self.redis.set(k, "pending", nx=True, ex=seconds):
            return None
        return self.redis.get(k) or "pending"

    def idempotent_answer(self, key_hash: str, post_id: str) -> str | None:
        return self.redis.get(self.keys.idempotency(key_hash, post_id))

    def release_idempotency(self, key_hash: str, post_id: str) -> None:
        """Forget an in-progress key whose request failed, so that a retry runs again."""
        self.redis.delete(self.keys.idempotency(key_hash, post_id))

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
        """A page of comments in ``status`` by time or risk, from an opaque cursor; no full scans.

        A post's comments are in one shard; the whole queue is a merge of every shard's next page.
        """
        k, name = self.keys, status.value
        if post_id:
            keys = [k.post_by_risk(post_id, name) if sort == "risk" else k.post_by_time(post_id, name)]
        else:
            keys = [k.by_risk(name, shard) if sort == "risk" else k.by_time(name, shard) for shard in k.all_shards()]
        ids, next_cursor = self._ids_after(keys, desc=sort in ("newest", "risk"), cursor=cursor, limit=limit)
        return self.get_many(ids), next_cursor

    def _ids_after(self, keys: list[str], desc: bool, cursor: str | None,
                   limit: int) -> tuple[list[str], str | None]:
        start: float | str = "+inf" if desc else "-inf"
        last = None
        if cursor:
            try:
                raw_score, last = cursor.split("_", 1)
                start = float(raw_score)
            except ValueError as exc:
                raise BadCursor(cursor) from exc
        end = "-inf" if desc else "+inf"
        pipe = self.redis.pipeline(transaction=False)
        for key in keys:
            pipe.zrange(key, start, end, desc=desc, byscore=True, offset=0, num=limit + 1, withscores=True)
        found: list[tuple[str, float]] = []
        for key, batch in zip(keys, pipe.execute(), strict=True):
            offset, kept = 0, 0
            while True:
                for member, score in batch:
                    if last is not None and score == start and (member >= last if desc else member <= last):
                        continue  # ties at the cursor's score that the previous page already returned
                    found.append((member, score))
                    kept += 1
                offset += len(batch)
                if kept > limit or len(batch) < limit + 1:
                    break
                batch = self.redis.zrange(key, start, end, desc=desc, byscore=True, offset=offset, num=limit + 1,
                                          withscores=True)  # the cursor's ties took up the batch: read on
        # Redis orders ties by member, so (score, member) is each shard's order and the merge's.
        ordered = sorted(found, key=lambda ms: (ms[1], ms[0]), reverse=desc)
        page, more = ordered[:limit], len(ordered) > limit
        next_cursor = f"{page[-1][1]!r}_{page[-1][0]}" if more and page else None
        return [member for member, _ in page], next_cursor

    def trust_counts(self, email_hashes: list[str]) -> list[int]:
        """Approved-comment counts for hashed emails ('' counts 0), summed over the shards."""
        if not email_hashes:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for shard in self.keys.all_shards():
            names = [self.keys.trust(h or "-", shard) for h in email_hashes]
            if self.cluster:  # a Cluster pipeline takes no MGET: single GETs, grouped by node
                for name in names:
                    pipe.get(name)
            else:
                pipe.mget(names)
        answers = pipe.execute()
        if self.cluster:
            n = len(email_hashes)
            answers = [answers[i:i + n] for i in range(0, len(answers), n)]
        totals = [sum(int(v or 0) for v in column) for column in zip(*answers, strict=True)]
        return [max(0, total) if h else 0 for total, h in zip(totals, email_hashes, strict=True)]

    def ids_by_email(self, email_hash: str) -> list[str]:
        """Every comment id sent with one hashed email, from every shard."""
        pipe = self.redis.pipeline(transaction=False)
        for shard in self.keys.all_shards():
            pipe.smembers(self.keys.by_email(email_hash, shard))
        return sorted(set().union(*pipe.execute()))

    def forget_email(self, email_hash: str) -> None:
        """Delete an email's trust counters and comment sets in every shard."""
        k = self.keys
        self.redis.delete(*(key for shard in k.all_shards() for key in (k.trust(email_hash, shard),
                                                                         k.by_email(email_hash, shard))))

    def create_groups(self, group: str, streams: list[str], start: str) -> None:
        """Create ``group`` on each stream (and the stream) from entry ``start``; an existing group is kept."""
        for stream in streams:
            try:
                self.redis.xgroup_create(stream, group, id=start, mkstream=True)
            except redis.exceptions.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    def read_group(self, group: str, consumer: str, streams: list[str], count: int,
                   block_ms: int | None) -> list[tuple[str, str, dict[str, str]]]:
        """New entries for ``consumer`` from several streams, as (stream, entry id, fields).

        One blocking XREADGROUP on one server. A Cluster cannot block on streams in different
        slots: each is polled, then the consumer waits on one of them (in turn) for at most 100 ms.
        """
        def entries(answer: Any) -> list[tuple[str, str, dict[str, str]]]:
            return [(stream, entry_id, fields) for stream, messages in answer or [] for entry_id, fields in messages]

        if not self.cluster or len(streams) == 1:
            return entries(self.redis.xreadgroup(group, consumer, {s: ">" for s in streams}, count=count,
                                                 block=block_ms or None))
        found: list[tuple[str, str, dict[str, str]]] = []
        for stream in streams:
            found += entries(self.redis.xreadgroup(group, consumer, {stream: ">"}, count=count))
        if not found and block_ms:
            self._turn = (self._turn + 1) % len(streams)
            found = entries(self.redis.xreadgroup(group, consumer, {streams[self._turn]: ">"}, count=count,
                                                  block=min(block_ms, 100)))
        return found

    def rewrite_persistence(self) -> str:
        """Ask every primary to rewrite its append-only file (BGSAVE where only snapshots are kept), so that
        deleted data leaves the disk within minutes; says what was done. Replicas rewrite on their own schedule."""
        nodes = self.redis.get_primaries() if isinstance(self.redis, RedisCluster) else [None]
        said = set()
        for node in nodes:
            client = self.redis.get_redis_connection(node) if node is not None else self.redis
            try:
                if int(client.info("persistence").get("aof_enabled", 0)):
                    client.bgrewriteaof()
                    said.add("append-only file rewrite started")
                else:
                    client.bgsave(schedule=True)
                    said.add("snapshot started (no append-only file)")
            except redis.exceptions.ResponseError as exc:
                if "already in progress" in str(exc):
                    said.add("a rewrite was already running: run `moderation privacy compact` once it ends")
                else:
                    said.add(f"not started ({exc}): rewrite the append-only file by hand")
        return "; ".join(sorted(said))

    def record_feedback(self, label: str, source: str, fields: dict[str, str]) -> None:
        """Keep a moderator label (spam/ham, toxic/civil) for the next model to learn from."""
        self.redis.xadd(self.keys.feedback, {"label": label, "source": source, "at": now_iso(), **fields},
                        maxlen=100_000, approximate=True)

    def counts(self) -> dict[str, int]:
        """How many comments are in each status."""
        pipe = self.redis.pipeline(transaction=False)
        for status in Status:
            for shard in self.keys.all_shards():
                pipe.zcard(self.keys.by_time(status.value, shard))
        sizes, n = pipe.execute(), self.keys.shards
        return {status.value: sum(sizes[i * n:(i + 1) * n]) for i, status in enumerate(Status)}

    def oldest_created_us(self, status: Status) -> float | None:
        """When the oldest comment in ``status`` was received (microseconds), or None."""
        pipe = self.redis.pipeline(transaction=False)
        for shard in self.keys.all_shards():
            pipe.zrange(self.keys.by_time(status.value, shard), 0, 0, withscores=True)
        firsts = [rows[0][1] for rows in pipe.execute() if rows]
        return min(firsts) if firsts else None

    def oldest_age_seconds(self, status: Status) -> float:
        """How long the oldest comment in ``status`` has been waiting (0 when there is none)."""
        oldest = self.oldest_created_us(status)
        return time.time() - oldest / 1_000_000 if oldest is not None else 0.0

    def audit_entries(self, count: int = 1000) -> list[dict[str, str]]:
        """The first ``count`` audit entries of the deployment, oldest first across shards."""
        entries = [e for shard in self.keys.all_shards() for e in self.redis.xrange(self.keys.audit(shard),
                                                                                    count=count)]
        entries.sort(key=lambda e: tuple(int(part) for part in e[0].split("-")))
        return [fields for _, fields in entries[:count]]

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
