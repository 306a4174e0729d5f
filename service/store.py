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
from zoneinfo import ZoneInfo

import redis
from redis.cluster import RedisCluster

from service.antiabuse import Admission, Refused
from service.keys import Keys, Status
from service.labels import Label, LabelStore

_TRANSITION = (Path(__file__).parent / "transition.lua").read_text()
_ERASE = (Path(__file__).parent / "erase.lua").read_text()
_ADMIT = (Path(__file__).parent / "admit.lua").read_text()
_APPEND = (Path(__file__).parent / "append.lua").read_text()
_MATERIALISE = (Path(__file__).parent / "materialise.lua").read_text()
_EDIT = (Path(__file__).parent / "edit.lua").read_text()
# One server holds every slot: admission and the append run as one script, one round trip.
# KEYS 1-4 and ARGV 2-6 are admission's (ARGV 1: whether it applies), the rest the append's.
_RECEIVE = _ADMIT + _APPEND + """
local function part(t, from, to)
  local out = {}
  for i = from, to do out[#out + 1] = t[i] end
  return out
end
local admit_keys, admit_argv = part(KEYS, 1, 4), part(ARGV, 2, 6)
local append_keys, append_argv = part(KEYS, 5, #KEYS), part(ARGV, 7, #ARGV)
local no = refused(append_keys, append_argv)
if no then return no end
if ARGV[1] == '1' then
  local admitted = admit(admit_keys, admit_argv)
  if admitted[1] ~= 'ok' then return admitted end
end
return append(append_keys, append_argv)
"""
# A Redis Cluster: admission (its slot) first, then the append (the post's shard); see ``receive``.
_ADMIT_ALONE = _ADMIT + "\nreturn admit(KEYS, ARGV)\n"
_APPEND_ALONE = _APPEND + "\nreturn refused(KEYS, ARGV) or append(KEYS, ARGV)\n"
IDEMPOTENCY_SECONDS = 24 * 3600
# A site's comment is keyed on its external id for longer than a plugin may keep retrying it.
EXTERNAL_REF_SECONDS = 400 * 24 * 3600
_JSON_FIELDS = ("scores", "reasons", "signals", "door_reasons")
_LABEL_ACTIONS = {Status.APPROVED: "approve", Status.REJECTED: "reject", Status.SPAM: "spam"}


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
class Receipt:
    """A submission durably received: its comment id; ``replayed`` is the first request's fingerprint
    when an earlier request with the same Idempotency-Key was answered with this id."""

    comment_id: str
    replayed: str | None = None


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
    entry: str = ""  # the comment's stream entry, to write it from if it has no hash yet (the scoring worker)
    label: tuple[str, str | None] | None = None  # a person's decision: (where it came from, reason) -> a label


class LayoutMismatch(RuntimeError):
    """Redis holds data written with another number of shards."""


class BadCursor(ValueError):
    """A pagination cursor this store did not write."""


class CommentStore:
    """Redis behind a small class: injected connection, keys from one prefix, JSON payloads."""

    def __init__(self, client: redis.Redis, keys: Keys | str = "moderation", wait_replicas: int = 0,
                 wait_ms: int = 1000, shards: int = 1, zone: str = ""):
        self.redis = client
        self.zone = ZoneInfo(zone) if zone else dt.UTC  # the site's days and hours, for the dashboard's rollups
        self.cluster = isinstance(client, RedisCluster)
        # With replicas (Sentinel), a comment is acknowledged only once this many replicas have it.
        self.wait_replicas, self.wait_ms = wait_replicas, wait_ms
        self.keys = keys if isinstance(keys, Keys) else Keys(keys, shards)
        self._transition = client.register_script(_TRANSITION)
        self._erase = client.register_script(_ERASE)
        self._receive = client.register_script(_RECEIVE)
        self._admit = client.register_script(_ADMIT_ALONE)
        self._append = client.register_script(_APPEND_ALONE)
        self._materialise = client.register_script(_MATERIALISE)
        self._edit = client.register_script(_EDIT)
        self.labels = LabelStore(client, self.keys)  # moderators' decisions, for the site's models to learn from
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
    def receive(self, record: dict[str, str], admission: Admission, idempotent: tuple[str, str] | None = None,
                parent_id: str | None = None, idempotent_seconds: int = IDEMPOTENCY_SECONDS) -> Receipt:
        """Admit and durably append one new comment (``record``: flat string fields) to its shard's stream.

        Checks, in order: an earlier answer for the same Idempotency-Key (``idempotent`` = (key hash,
        request fingerprint)), the reply's parent (approved, same post), a duplicate, then flood and
        rate; then one XADD. On one server (or Sentinel) this is one script and one round trip. On a
        Cluster the admission slot and the post's shard may be on different nodes: admission runs
        first, then the append; when the append refuses or fails, the flood marks are taken back so
        that a retry is not refused for a comment that was never stored. Raises antiabuse.Refused
        (flood, rate, duplicate, parent) having stored nothing.
        """
        if not self._layout_checked:
            self.check_layout()
        k, post = self.keys, record["post_id"]
        suffix = k.id_suffix(post)
        key_hash, fingerprint = idempotent or ("-", "")
        parent = parent_id or ""
        if parent and k.shard_of_id(parent) != k.shard_of_post(post):
            raise Refused("parent")  # a post's comments all live in its shard: not a comment of this post
        shard = k.shard_of_post(post)
        append_keys = [k.incoming(shard), k.duplicate(post, admission.fingerprint), k.idempotency(key_hash, post),
                       k.comment(parent) if parent else k.comment(f"-{suffix}")]
        append_args: list[Any] = [admission.duplicate_seconds, idempotent_seconds if idempotent else 0,
                                  fingerprint, parent, post, suffix]
        for name, value in record.items():
            append_args += (name, value)
        if self.cluster:
            answer = self._receive_in_two_steps(admission, append_keys, append_args, idempotent is not None)
        elif self.wait_replicas:
            pipe = self.redis.pipeline(transaction=False)
            self._receive(keys=[*admission.keys, *append_keys],
                          args=["1" if admission.checks else "0", *admission.args, *append_args], client=pipe)
            pipe.execute_command("WAIT", self.wait_replicas, self.wait_ms)
            answer, replicas = pipe.execute()
            if answer[0] == "ok" and int(replicas) < self.wait_replicas:
                raise redis.exceptions.TimeoutError(f"comment reached {replicas} of {self.wait_replicas} replicas")
        else:
            answer = self._receive(keys=[*admission.keys, *append_keys],
                                   args=["1" if admission.checks else "0", *admission.args, *append_args])
        if answer[0] == "ok":
            return Receipt(answer[1])
        if answer[0] == "replay":
            first_fingerprint, _, first_id = answer[1].partition(" ")
            return Receipt(first_id, replayed=first_fingerprint)
        raise Refused(answer[0], int(answer[1] or 0) / 1000)

    def _receive_in_two_steps(self, admission: Admission, keys: list[str], args: list[Any],
                              idempotent: bool) -> list[Any]:
        if admission.checks:
            admitted = self._admit(keys=admission.keys, args=admission.args)
            if admitted[0] != "ok":
                first = self.redis.get(keys[2]) if idempotent else None
                return ["replay", first] if first else list(admitted)  # a retry of a stored comment is answered
        try:
            answer = self._append(keys=keys, args=args)
        except redis.exceptions.RedisError:
            self._take_back(admission)
            raise
        if answer[0] != "ok":
            self._take_back(admission)
        return list(answer)

    def _take_back(self, admission: Admission) -> None:
        """Remove the flood marks of an admission whose comment was not stored (best effort:
        they expire on their own within the flood interval)."""
        if not admission.checks:
            return
        try:
            self.redis.delete(*admission.keys[:2])
        except redis.exceptions.RedisError:
            pass

    def release(self, admission: Admission, post_id: str) -> None:
        """Forget an admission whose answer was lost (the connection broke), so that a retry is not refused."""
        self.redis.delete(*admission.keys[:2], self.keys.duplicate(post_id, admission.fingerprint))

    def materialise(self, comment_ids: list[str]) -> list[str]:
        """Write acknowledged comments from their stream entries (hash, indexes, audit, event): 'written',
        'exists' (already written: nothing is written twice) or 'gone' (erased, or not an id of ours)."""
        k = self.keys
        calls = []
        for comment_id in comment_ids:
            shard = k.shard_of_id(comment_id)
            received = Status.RECEIVED.value
            calls.append(([k.comment(comment_id), k.incoming(shard), k.by_time(received, shard),
                           k.by_risk(received, shard), k.audit(shard), k.events(shard)],
                          [comment_id, k.entry_of(comment_id) or "0-1", *k.templates(shard)[2:4],
                           k.by_email("%s", shard)]))
        return [str(answer) for answer in self._run(self._materialise, calls)]

    def transition(self, comment_id: str, allowed: tuple[Status, ...], to: Status, actor: str, reason: str,
                   fields: dict[str, Any] | None = None, risk: float | None = None, ack: str = "",
                   label: tuple[str, str | None] | None = None) -> Outcome:
        """Move a comment if its status is one of ``allowed``; audit it; optionally ack its stream entry.
        ``label`` (source, rejection reason): a person decided, and the decision becomes a labelled example."""
        return self.transition_many([Move(comment_id, allowed, to, actor, reason, fields, risk, ack,
                                          label=label)])[0]

    def transition_many(self, moves: list[Move]) -> list[Outcome]:
        """Several transitions in one round trip; each is atomic on its own."""
        k = self.keys
        calls = []
        local = dt.datetime.now(self.zone)  # the site's day and hour: the dashboard's rollup to count in
        for m in moves:
            extra = [x for f, v in (m.fields or {}).items() if v is not None
                     for x in (f, json.dumps(v) if f in _JSON_FIELDS else str(v))]
            shard = k.shard_of_id(m.comment_id)
            calls.append(([k.comment(m.comment_id), k.audit(shard), k.incoming(shard), k.events(shard)],
                          [m.comment_id, " ".join(s.value for s in m.allowed), m.to.value, m.actor, m.reason,
                           now_iso(), len(extra) // 2, "" if m.risk is None else repr(float(m.risk)), m.ack,
                           k.SCORING_GROUP, *k.templates(shard), m.entry, k.by_email("%s", shard),
                           k.site_decisions("%s", shard), k.stats(local.date().isoformat(), shard),
                           time.time_ns() // 1000, f"{local.hour:02d}", *extra]))
        outcomes = [Outcome(result, previous) for result, previous in self._run(self._transition, calls)]
        # A comment acknowledged but not yet written by a worker: write it from its entry, then move it.
        unwritten = [i for i, o in enumerate(outcomes) if o.result == "missing" and k.entry_of(moves[i].comment_id)]
        if unwritten:
            states = self.materialise([moves[i].comment_id for i in unwritten])
            unwritten = [i for i, state in zip(unwritten, states, strict=True) if state != "gone"]
            again = self._run(self._transition, [calls[i] for i in unwritten])
            for i, (result, previous) in zip(unwritten, again, strict=True):
                outcomes[i] = Outcome(result, previous)
        self.labels.record(Label.of(m.comment_id, _LABEL_ACTIONS[m.to], m.label[0], m.actor, m.label[1])
                           for m, o in zip(moves, outcomes, strict=True)
                           if m.label and o.result == "ok" and m.to in _LABEL_ACTIONS)
        return outcomes

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
        calls = [([k.comment(c), k.incoming(k.shard_of_id(c)), k.label(c), k.labels(k.shard_of_id(c)),
                   k.label_counts(k.shard_of_id(c))],
                  [c, *k.templates(k.shard_of_id(c)), k.by_email("%s", k.shard_of_id(c)), k.entry_of(c) or "",
                   k.SCORING_GROUP]) for c in comment_ids]
        return sum(self._run(self._erase, calls))

    def edit(self, comment_id: str, content: str, editor: str) -> bool:
        """Replace a filed comment's text, keeping the first original and auditing it (False: no such comment, or
        one not filed yet: the scoring worker writes it in a moment)."""
        k = self.keys
        return bool(self._edit(keys=[k.comment(comment_id), k.audit(k.shard_of_id(comment_id))],
                               args=[comment_id, content, editor, now_iso()]))

    def erase_all(self, status: Status, actor: str, batch: int = 500) -> int:
        """Delete every comment in ``status`` for good (emptying the spam tab), a batch at a time; audited."""
        erased = 0
        for shard in self.keys.all_shards():
            index = self.keys.by_time(status.value, shard)
            while ids := list(self.redis.zrange(index, 0, batch - 1)):
                erased += self.erase(ids)
                self.redis.zrem(index, *ids)  # a stale entry (its comment already gone) must not loop for ever
        self.audit(actor, "erased", f"emptied {status.value}: {erased} comment(s)")
        return erased

    # -- reading -------------------------------------------------------------------------------
    def get(self, comment_id: str) -> dict[str, Any] | None:
        return self.get_each([comment_id])[0]

    def get_each(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """Comments in the order asked (None where missing), in one round trip (two when some are
        acknowledged but not written yet: those are read from their scoring-stream entries)."""
        if not ids:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hgetall(self.keys.comment(comment_id))
        found = [self._decode(raw) for raw in pipe.execute()]
        unwritten = [i for i, c in enumerate(found) if c is None and self.keys.entry_of(ids[i])]
        if unwritten:
            pipe = self.redis.pipeline(transaction=False)
            for i in unwritten:
                entry = self.keys.entry_of(ids[i])
                pipe.xrange(self.keys.incoming(self.keys.shard_of_id(ids[i])), entry, entry)
            for i, rows in zip(unwritten, pipe.execute(), strict=True):
                found[i] = self.from_entry(ids[i], rows[0][1]) if rows else None
            # A worker may have filed it between the two reads: filing writes the hash and deletes the entry in
            # one step, so an entry gone means a hash written (or the comment erased): read the hash again.
            gone = [i for i in unwritten if found[i] is None]
            if gone:
                pipe = self.redis.pipeline(transaction=False)
                for i in gone:
                    pipe.hgetall(self.keys.comment(ids[i]))
                for i, raw in zip(gone, pipe.execute(), strict=True):
                    found[i] = self._decode(raw)
        return found

    def from_entry(self, comment_id: str, fields: dict[str, str]) -> dict[str, Any] | None:
        """A comment as its stream entry holds it (what materialise.lua would write), if the entry is its own."""
        if fields.get("id_suffix") != comment_id[17:]:
            return None
        record = {name: value for name, value in fields.items() if name != "id_suffix"}
        return self._decode({**record, "id": comment_id, "status": Status.RECEIVED.value, "risk": "0"})

    def unfiled(self, shard: int) -> list[tuple[str, dict[str, Any]]]:
        """Every comment of a shard acknowledged but not filed yet, as (id, record), from its stream.

        Filed entries are deleted from the stream, so this reads only the backlog the workers have
        not finished: bounded by how far they are behind, not by how many comments are stored.
        """
        out, last = [], "-"
        stream = self.keys.incoming(shard)
        while True:
            batch = self.redis.xrange(stream, min=last, max="+", count=1000)
            for entry_id, fields in batch:
                if "id_suffix" in fields:
                    comment_id = self.keys.comment_id(entry_id, fields["id_suffix"])
                    out.append((comment_id, fields))
            if len(batch) < 1000:
                return out
            last = "(" + batch[-1][0]

    def unfiled_by_email(self, email_hash: str) -> list[str]:
        """Ids of the comments sent with one hashed email that no worker has written yet."""
        return [i for shard in self.keys.all_shards() for i, fields in self.unfiled(shard)
                if fields.get("email_hash") == email_hash]

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

    @staticmethod
    def cursor_after(comment: dict[str, Any], sort: str) -> str:
        """The cursor that resumes a ``sort`` page just after ``comment`` (as ``page`` writes them)."""
        score = float(comment["risk"]) if sort == "risk" else float(comment["created_us"])
        return f"{score!r}_{comment['id']}"

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
        return self.lookup([], email_hashes)[1]

    def lookup(self, ids: list[str], email_hashes: list[str]) -> tuple[list[str | None], list[int]]:
        """In one round trip, the status of each comment (None: no hash yet) and the trust of each hashed email."""
        if not ids and not email_hashes:
            return [], []
        pipe = self.redis.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hget(self.keys.comment(comment_id), "status")
        if not email_hashes:
            return list(pipe.execute()), []
        for shard in self.keys.all_shards():
            names = [self.keys.trust(h or "-", shard) for h in email_hashes]
            if self.cluster:  # a Cluster pipeline takes no MGET: single GETs, grouped by node
                for name in names:
                    pipe.get(name)
            else:
                pipe.mget(names)
        everything = pipe.execute()
        statuses, answers = everything[:len(ids)], everything[len(ids):]
        if self.cluster:
            n = len(email_hashes)
            answers = [answers[i:i + n] for i in range(0, len(answers), n)]
        totals = [sum(int(v or 0) for v in column) for column in zip(*answers, strict=True)]
        return statuses, [max(0, total) if h else 0 for total, h in zip(totals, email_hashes, strict=True)]

    def ids_by_email(self, email_hash: str) -> list[str]:
        """Every comment id sent with one hashed email, from every shard."""
        pipe = self.redis.pipeline(transaction=False)
        for shard in self.keys.all_shards():
            pipe.smembers(self.keys.by_email(email_hash, shard))
        return sorted(set().union(*pipe.execute()) | set(self.unfiled_by_email(email_hash)))

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

    def claim_stale(self, group: str, consumer: str, streams: list[str], idle_ms: int,
                    count: int) -> list[tuple[str, str, dict[str, str]]]:
        """Entries another consumer read but did not file within ``idle_ms`` (it died), now ``consumer``'s."""
        found: list[tuple[str, str, dict[str, str]]] = []
        for stream in streams:
            answer = self.redis.xautoclaim(stream, group, consumer, min_idle_time=idle_ms, start_id="0-0",
                                           count=count - len(found))
            claimed = answer[1]  # Redis 7 adds a third element (deleted ids); 6.2 answers two
            found += [(stream, entry_id, fields) for entry_id, fields in claimed if fields]
            if len(found) >= count:
                break
        return found

    def deliveries(self, group: str, entries: list[tuple[str, str, Any]]) -> list[int]:
        """How many times each entry has been delivered to the group's consumers."""
        pipe = self.redis.pipeline(transaction=False)
        for stream, entry_id, _ in entries:
            pipe.xpending_range(stream, group, min=entry_id, max=entry_id, count=1)
        return [rows[0]["times_delivered"] if rows else 1 for rows in pipe.execute()]

    def keep_claimed(self, group: str, consumer: str, entries: list[tuple[str, str]]) -> None:
        """Reset the idle time of entries still being worked on (JUSTID: their delivery count stays)."""
        for stream in {s for s, _ in entries}:
            self.redis.xclaim(stream, group, consumer, 0, [e for s, e in entries if s == stream], justid=True)

    def drop_entries(self, group: str, entries: list[tuple[str, str]]) -> None:
        """Acknowledge and delete stream entries that have nothing left to file (their comment was erased)."""
        pipe = self.redis.pipeline(transaction=False)
        for stream, entry_id in entries:
            pipe.xack(stream, group, entry_id)
            pipe.xdel(stream, entry_id)
        pipe.execute()

    def older_than(self, status: Status, shard: int, before_us: float, count: int) -> list[str]:
        """Up to ``count`` ids of a shard's comments in ``status`` received before ``before_us``."""
        return list(self.redis.zrangebyscore(self.keys.by_time(status.value, shard), "-inf", before_us, 0, count))

    def ids_in(self, status: Status, shard: int) -> list[str]:
        """Every id of a shard's comments in ``status``, oldest first (for a bounded status: the waiting queue)."""
        return list(self.redis.zrange(self.keys.by_time(status.value, shard), 0, -1))

    def lock(self, name: str, holder: str, seconds: int) -> bool:
        """Take a deployment-wide lock for ``seconds`` unless someone holds it."""
        return bool(self.redis.set(self.keys.lock(name), holder, nx=True, ex=max(1, int(seconds))))

    def unlock(self, name: str, holder: str) -> None:
        """Release a lock this holder took (not one that expired and someone else took since)."""
        if self.redis.get(self.keys.lock(name)) == holder:
            self.redis.delete(self.keys.lock(name))

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

    def redact(self, ids: set[str]) -> int:
        """Delete the audit entries and outbox events that name erased comments (streams cannot be edited in
        place; no webhook may announce an erased comment). Returns how many audit entries went."""
        redacted = 0
        for shard in self.keys.all_shards():
            redacted += self._drop_naming(self.keys.audit(shard), ids)
            self._drop_naming(self.keys.events(shard), ids)
        return redacted

    def _drop_naming(self, stream: str, ids: set[str]) -> int:
        if not ids:
            return 0
        doomed, last = [], "-"
        while True:
            batch = self.redis.xrange(stream, min=last, max="+", count=1000)
            doomed += [entry_id for entry_id, fields in batch if fields.get("comment_id") in ids]
            if len(batch) < 1000:
                break
            last = "(" + batch[-1][0]
        return int(self.redis.xdel(stream, *doomed)) if doomed else 0

    def audit(self, actor: str, to: str, reason: str, comment_id: str = "") -> None:
        """An audit entry that is not a comment's transition (an erasure, a bulk purge)."""
        self.redis.xadd(self.keys.audit(), {"comment_id": comment_id, "actor": actor, "from": "", "to": to,
                                            "reason": reason, "model_version": "", "at": now_iso()})

    def site_decisions(self, site: str, since: str, limit: int) -> tuple[list[dict[str, str]], str]:
        """Decisions on ``site``'s comments after cursor ``since``, oldest first, and the cursor to ask next.

        A cursor is ``<ms>-<seq>-<shard>`` (entries of different shards may share an id); '' starts at the
        oldest kept (the last 100,000 per shard). One XRANGE per shard, each at most ``limit`` entries.
        """
        try:
            ms, seq, cshard = (int(part) for part in since.split("-")) if since else (0, 0, -1)
        except ValueError:
            raise BadCursor(since) from None
        pipe = self.redis.pipeline(transaction=False)
        for shard in self.keys.all_shards():  # this shard's entry at the cursor's id is new if its shard is later
            pipe.xrange(self.keys.site_decisions(site, shard), f"({ms}-{seq}" if shard <= cshard else f"{ms}-{seq}",
                        "+", count=limit)
        found = [(tuple(int(x) for x in entry_id.split("-")), shard, fields)
                 for shard, rows in enumerate(pipe.execute()) for entry_id, fields in rows]
        found.sort(key=lambda row: (row[0], row[1]))
        found = found[:limit]
        items = [{"id": f["comment_id"], "external_id": f.get("external_id", ""), "status": f["status"],
                  "decided_at": f["at"]} for _, _, f in found]
        cursor = f"{found[-1][0][0]}-{found[-1][0][1]}-{found[-1][1]}" if found else since
        return items, cursor

    def daily(self, days: list[str]) -> dict[str, dict[str, int]]:
        """The dashboard's rollups of ``days`` (YYYY-MM-DD), summed over shards: one round trip, bounded."""
        pipe = self.redis.pipeline(transaction=False)
        for day in days:
            for shard in self.keys.all_shards():
                pipe.hgetall(self.keys.stats(day, shard))
        answers = iter(pipe.execute())
        out: dict[str, dict[str, int]] = {}
        for day in days:
            total: dict[str, int] = {}
            for _ in self.keys.all_shards():
                for field, value in next(answers).items():  # counts and the shards' queue depths add up
                    total[field] = total.get(field, 0) + int(value)
            out[day] = total
        return out

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
        for name in ("url", "parent_id"):  # a record keeps no empty field: absent is None (optional) or ""
            out.setdefault(name, None)
        for name in ("author", "email", "content"):
            out.setdefault(name, "")
        return out
