"""Moderators' decisions as labelled examples: what a site's model learns from.

Every decision records one (the moderation API, the review page and its bulk actions, a site's plugin,
the WordPress import, Akismet's submit-spam/submit-ham, Perspective's suggestscore): the model's inputs
(text, author, website, signals), the label, where it came from, who and when, and the scores and model
version the comment had then. A later decision on the same comment replaces its label. Labels live in
the comment's shard (Cluster-safe), are counted per label and source, and go with the comment when it
is erased (privacy erase, retention).
"""

from __future__ import annotations

import heapq
import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate
from redis.cluster import RedisCluster

from service.keys import Keys

ACTIONS = ("approve", "reject", "spam")
REASONS = ("toxic", "off_topic", "other")  # why a comment was rejected; only "toxic" makes a toxicity label
JSON_FIELDS = ("signals", "reasons", "scores")
INPUTS = ("site", "post_id", "content", "author", "url", "language", "signals", "reasons", "scores", "model_version",
          "created_at")
_SCRIPT = (Path(__file__).parent / "label.lua").read_text()


def targets(action: str, reason: str | None) -> tuple[int | None, int | None]:
    """(spam, toxic) that a decision teaches: approve is ham and non-toxic, spam is spam, a rejection for
    toxicity is toxic and not spam; any other rejection teaches neither (off topic is not spam)."""
    if action == "approve":
        return 0, 0
    if action == "spam":
        return 1, None
    return (0, 1) if reason == "toxic" else (None, None)


@dataclass(frozen=True)
class Label:
    """One labelled example. ``inputs`` is set when no stored comment holds them (Akismet, a labels file)."""

    comment_id: str
    action: str
    source: str
    by: str
    reason: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    spam: int | None = None
    toxic: int | None = None
    at_ms: int = 0

    @classmethod
    def of(cls, comment_id: str, action: str, source: str, by: str, reason: str | None = None,
           inputs: dict[str, Any] | None = None, at_ms: int = 0) -> Label:
        spam, toxic = targets(action, reason)
        return cls(comment_id, action, source, by, reason, inputs or {}, spam, toxic, at_ms)


class LabelStore:
    """Labels in Redis: recorded, counted, exported, imported. Erasure is the comment store's (erase.lua)."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.redis, self.keys = client, keys
        self._script = client.register_script(_SCRIPT)

    def record(self, labels: Iterable[Label]) -> int:
        """Write each label (replacing its comment's earlier one); one round trip on one server."""
        k = self.keys
        cluster = isinstance(self.redis, RedisCluster)
        pipe = None if cluster else self.redis.pipeline(transaction=False)
        written = 0
        for label in labels:
            at_ms = label.at_ms or time.time_ns() // 1_000_000
            pairs = ["action", label.action, "reason", label.reason or "", "by", label.by,
                     "at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at_ms / 1000))]
            inputs = [x for name in INPUTS if label.inputs.get(name) not in (None, "")
                      for x in (name, _flat(name, label.inputs[name]))]
            shard = k.shard_of_id(label.comment_id)
            args = [label.comment_id, at_ms, label.source, _flag(label.spam), _flag(label.toxic), len(pairs) // 2,
                    len(inputs) // 2, *pairs, *inputs]
            keys = [k.comment(label.comment_id), k.label(label.comment_id), k.labels(shard), k.label_counts(shard)]
            self._script(keys=keys, args=args, client=pipe)
            written += 1
        if pipe is not None:
            pipe.execute()
        return written

    def forget(self, comment_id: str) -> None:
        """Drop a comment's label: its decision was undone (it waits for a decision again)."""
        k, shard = self.keys, self.keys.shard_of_id(comment_id)
        self._script(keys=[k.comment(comment_id), k.label(comment_id), k.labels(shard), k.label_counts(shard)],
                     args=[comment_id, 0, "", "", "", 0, 0])

    def total(self) -> int:
        """How many labels there are (all shards)."""
        pipe = self.redis.pipeline(transaction=False)
        for shard in self.keys.all_shards():
            pipe.zcard(self.keys.labels(shard))
        return sum(pipe.execute())

    def trained_at(self) -> int:
        """How many labels there were when the last automatic retraining started."""
        return int(self.redis.get(self.keys.label_mark) or 0)

    def mark_trained(self, total: int) -> None:
        self.redis.set(self.keys.label_mark, total)

    def agreement(self, since_ms: float, limit: int = 5000) -> dict[str, dict[str, int]]:
        """How often the model's scores of the time (0.5 and up: spam, toxic) said what the moderators then
        decided, per language, over the labels recorded since ``since_ms`` (at most ``limit`` newest per shard).
        A label counts once: it agrees when every head it teaches agrees."""
        out: dict[str, dict[str, int]] = {}
        for shard in self.keys.all_shards():
            ids = self.redis.zrevrangebyscore(self.keys.labels(shard), "+inf", since_ms, start=0, num=limit)
            pipe = self.redis.pipeline(transaction=False)
            for comment_id in ids:
                pipe.hmget(self.keys.label(comment_id), "spam", "toxic", "scores", "language")
            for spam, toxic, scores, language in pipe.execute():
                said = json.loads(scores) if scores else None
                taught = [(head, int(value)) for head, value in (("spam", spam), ("toxicity", toxic)) if value]
                if not said or not taught:
                    continue
                counted = out.setdefault(language or "other", {"agreed": 0, "total": 0})
                counted["total"] += 1
                counted["agreed"] += all((float(said.get(head, 0)) >= 0.5) == bool(value) for head, value in taught)
        return out

    def counts(self) -> Counter[tuple[str, str]]:
        """How many labels say spam, ham, toxic, non_toxic, per source (the deployment's, all shards)."""
        total: Counter[tuple[str, str]] = Counter()
        for shard in self.keys.all_shards():
            for name, value in self.redis.hgetall(self.keys.label_counts(shard)).items():
                label, _, source = name.partition("|")
                total[(label, source)] += int(value)
        return total

    def get(self, comment_ids: list[str]) -> list[dict[str, Any]]:
        """The labels of these comments (privacy export), those that have one."""
        pipe = self.redis.pipeline(transaction=False)
        for comment_id in comment_ids:
            pipe.hgetall(self.keys.label(comment_id))
        return [_decode(raw) for raw in pipe.execute() if raw]

    def export(self, site: str | None = None, batch: int = 500) -> Iterator[dict[str, Any]]:
        """Every label, oldest first (all shards merged by time), optionally one site's only."""
        streams = [self._shard_labels(shard, batch) for shard in self.keys.all_shards()]
        for _, label in heapq.merge(*streams, key=lambda pair: pair[0]):
            if site is None or label.get("site", "") == site:
                yield label

    def _shard_labels(self, shard: int, batch: int) -> Iterator[tuple[float, dict[str, Any]]]:
        """One shard's labels by time, a page of ``batch`` at a time (by rank: a snapshot is not needed)."""
        for offset in range(0, self.redis.zcard(self.keys.labels(shard)), batch):
            page = self.redis.zrange(self.keys.labels(shard), offset, offset + batch - 1, withscores=True)
            pipe = self.redis.pipeline(transaction=False)
            for comment_id, _ in page:
                pipe.hgetall(self.keys.label(comment_id))
            for (_, score), raw in zip(page, pipe.execute(), strict=True):
                if raw:
                    yield score, _decode(raw)


def _flag(value: int | None) -> str:
    return "" if value is None else str(int(value))


def _flat(name: str, value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if name in JSON_FIELDS else str(value)


def _decode(raw: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = dict(raw)
    for name in JSON_FIELDS:
        if name in out:
            out[name] = json.loads(out[name])
    for name in ("spam", "toxic"):
        out[name] = int(out[name]) if out.get(name) not in (None, "") else None
    out["reason"] = out.get("reason") or None
    return out


class LabelLine(Schema):
    """One line of a labels file (the export's format); unknown fields are kept out, not refused."""

    class Meta:
        unknown = INCLUDE

    comment_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REASONS))
    source = fields.String(load_default="file", validate=validate.Length(min=1, max=50))
    by = fields.String(load_default="", validate=validate.Length(max=200))
    at = fields.DateTime(load_default=None, allow_none=True)
    spam = fields.Integer(load_default=None, allow_none=True, validate=validate.OneOf([0, 1]))
    toxic = fields.Integer(load_default=None, allow_none=True, validate=validate.OneOf([0, 1]))
    content = fields.String(required=True, validate=validate.Length(min=1, max=65_525))
    scores = fields.Dict(load_default=None, allow_none=True)
    signals = fields.List(fields.Raw(), load_default=None, allow_none=True)
    reasons = fields.List(fields.Raw(), load_default=None, allow_none=True)


class BadLabels(ValueError):
    """A labels file with invalid lines: each named by its number; nothing was imported."""


def parse(lines: Iterable[str]) -> list[Label]:
    """Every line of a labels file checked first; raises BadLabels naming each bad line."""
    schema, labels, problems = LabelLine(), [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = schema.load(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not JSON ({exc.msg})")
            continue
        except ValidationError as exc:
            problems.append(f"line {number}: " + "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                                                           for k, v in exc.normalized_messages().items()))
            continue
        spam, toxic = targets(data["action"], data["reason"])
        inputs = {name: data.get(name) for name in INPUTS if data.get(name) not in (None, "")}
        at_ms = int(data["at"].timestamp() * 1000) if data["at"] else 0
        labels.append(Label(data["comment_id"], data["action"], data["source"], data["by"], data["reason"], inputs,
                            data["spam"] if "spam" in data and data["spam"] is not None else spam,
                            data["toxic"] if "toxic" in data and data["toxic"] is not None else toxic, at_ms))
    if problems:
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise BadLabels("\n".join(problems[:50]) + more)
    return labels
