"""Retrain from the moderators' labels, behind a gate: `moderation model retrain`.

Where the shipped training data is on the host (``MODERATION_TRAINING_DATA``), the candidate's heads are
fitted again on that data plus the oldest 80 % of the site's labels, weighted by a weight chosen by cross-
validation on those labels (classifier/retrain.py: minutes). Elsewhere the candidate is the shipped model plus
a site adapter per head (classifier/adapt.py: seconds). Either way the newest 20 % are held back (by time,
never shuffled: the future is what a model must predict). The gate promotes the candidate only if, on those
held-back labels, it is better than the model in force (one head's ROC AUC, or its balanced accuracy at 0.5
with a lower log loss, higher by ``MIN_GAIN``, both at least ``MIN_HELD_AUC``; no head's ROC AUC lower by more
than ``AUC_SLACK``) and, on each fixed evaluation set, not worse than ``TOLERANCE`` (ROC AUC and balanced
accuracy at 0.5). It is then refitted on all the labels (a retrain keeps the weights chosen for the candidate)
and stored; promoted, made active. Kept, it is stored with its table for a person to look at (`moderation
model list`, `moderation model promote`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

import classifier
from classifier import Example, Labelled
from service.keys import Status
from service.registry import SHIPPED, Registry
from service.store import CommentStore, Move

HELD_BACK = 0.2
AUC_SLACK = 0.02  # no head may lose more ROC AUC than this on the held-back labels
MIN_GAIN = 0.01  # and one head must gain at least this much (ROC AUC, or balanced accuracy at 0.5)
MIN_HELD_AUC = 0.65  # while predicting them for real (both): labels no model can predict (shuffled) teach nothing
TOLERANCE = {"roc_auc": 0.02, "balanced_accuracy": 0.03}
FIXED_SAMPLE = 600  # rows per fixed set (fixed seed): the gate stays within a minute on 2 cores
HEADS = {"spam": "spam", "toxicity": "toxic"}


class NothingTrained(Exception):
    """Retraining cannot start: the message says why and what to do."""


class TooFewLabels(NothingTrained):
    """Not enough labels to learn anything: nothing was trained."""


class NotTheTrainingData(NothingTrained):
    """MODERATION_TRAINING_DATA is not the data the shipped model was trained on."""


@dataclass
class Outcome:
    version: str
    promoted: bool
    why: str
    table: str
    meta: dict[str, Any] = field(default_factory=dict)


def _metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float | None]:
    both = len(set(y.tolist())) == 2
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return {"n": len(y), "roc_auc": round(float(roc_auc_score(y, p)), 4) if both else None,
            "balanced_accuracy": round(float(balanced_accuracy_score(y, p >= 0.5)), 4) if both else None,
            "log_loss": round(float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))), 4)}


class Scorer:
    """Both models' probabilities for a batch: the shipped features once, each model's adapters on top
    (the encoder runs once per comment, not once per model)."""

    def __init__(self, shipped: classifier.Model, models: list[classifier.Model]):
        self.shipped = classifier.base_model(shipped)
        self.models = models
        self.same_base = all(classifier.base_model(m).version == self.shipped.version for m in models)

    def __call__(self, items: list[Labelled], feats: Any = None) -> list[dict[str, np.ndarray]]:
        if not self.same_base:
            return [_scored(m, items) for m in self.models]
        feats = feats or classifier.shipped_features(self.shipped, items)
        return [classifier.probabilities(m, feats) for m in self.models]


def _scored(model: classifier.Model, items: list[Labelled]) -> dict[str, np.ndarray]:
    scores = model.score_many([{"content": i.content, "url": i.url} for i in items])
    return {"spam": np.array([s.spam for s in scores]), "toxicity": np.array([s.toxicity for s in scores])}


def _from_labels(labels: list[dict[str, Any]]) -> list[Labelled]:
    return [Labelled(label.get("content") or "", label.get("url") or "", label.get("spam"), label.get("toxic"))
            for label in labels]


def compare(current: classifier.Model, candidate: classifier.Model, held: list[Labelled],
            fixed: dict[str, tuple[str, list[Example]]], shipped: classifier.Model, held_features: Any = None
            ) -> tuple[dict[str, Any], list[str]]:
    """Both models on the held-back labels and on the fixed sets; and why the candidate fails the gate."""
    score = Scorer(shipped, [current, candidate])
    now, new = score(held, held_features)
    results: dict[str, Any] = {"held_back": {}, "fixed": {}}
    failures: list[str] = []
    gained = False
    for head, target in HEADS.items():
        rows = [i for i, h in enumerate(held) if getattr(h, target) is not None]
        y = np.array([getattr(held[i], target) for i in rows])
        if len(set(y.tolist())) < 2:
            continue
        a, b = _metrics(y, now[head][rows]), _metrics(y, new[head][rows])
        results["held_back"][head] = {"current": a, "candidate": b}
        now_auc, new_auc = float(a["roc_auc"] or 0), float(b["roc_auc"] or 0)
        now_acc, new_acc = float(a["balanced_accuracy"] or 0), float(b["balanced_accuracy"] or 0)
        if new_auc < now_auc - AUC_SLACK:
            failures.append(f"held-back {head} ROC AUC {new_auc} < {now_auc} - {AUC_SLACK}")
        ranks_better = new_auc >= now_auc + MIN_GAIN
        # the same order, but right at the threshold more often (and surer about it)
        decides_better = new_acc >= now_acc + MIN_GAIN and b["log_loss"] < a["log_loss"]  # type: ignore[operator]
        gained = gained or (min(new_auc, new_acc) >= MIN_HELD_AUC and (ranks_better or decides_better))
    if not results["held_back"]:
        failures.append("the held-back labels do not have both kinds of label for any head")
    elif not gained:
        failures.append(f"not better on the held-back labels (no head's ROC AUC or balanced accuracy up by "
                        f"{MIN_GAIN}, with both at least {MIN_HELD_AUC})")
    for name, (head, examples) in fixed.items():
        if not examples:
            continue
        y = np.array([e.label for e in examples])
        now_fixed, new_fixed = score([Labelled(e.text, "", None, None) for e in examples])
        a, b = _metrics(y, now_fixed[head]), _metrics(y, new_fixed[head])
        results["fixed"][name] = {"head": head, "current": a, "candidate": b}
        for metric, slack in TOLERANCE.items():
            now_value, new_value = a[metric], b[metric]
            if now_value is not None and new_value is not None and new_value < now_value - slack:
                failures.append(f"{name} {metric} {new_value} < {now_value} - {slack}")
    return results, failures


def table(results: dict[str, Any]) -> str:
    """The comparison as a Markdown table: current vs candidate, held-back labels then fixed sets."""
    lines = ["| set | head | n | ROC AUC now | ROC AUC candidate | bal. acc. now | bal. acc. candidate |"
             " log loss now | log loss candidate |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    rows = [("held-back labels", head, r) for head, r in results["held_back"].items()]
    rows += [(name, r["head"], r) for name, r in results["fixed"].items()]
    for name, head, r in rows:
        a, b = r["current"], r["candidate"]
        lines.append(f"| {name} | {head} | {a['n']} | {a['roc_auc']} | {b['roc_auc']} | {a['balanced_accuracy']} | "
                     f"{b['balanced_accuracy']} | {a['log_loss']} | {b['log_loss']} |")
    return "\n".join(lines)


def retrain(store: CommentStore, registry: Registry, current: classifier.Model, shipped: classifier.Model,
            site: str | None, min_labels: int, log: Callable[[str], None] = lambda s: None,
            fixed: dict[str, tuple[str, list[Example]]] | None = None, training: Path | None = None) -> Outcome:
    """Train a candidate from the labels (on ``training``, the shipped training data, too, when given), gate it,
    store it; promote it if it passes."""
    labels = list(store.labels.export(site))
    useful = [label for label in labels if label.get("spam") is not None or label.get("toxic") is not None]
    if len(useful) < min_labels:
        raise TooFewLabels(f"{len(useful)} usable label(s){f' for site {site}' if site else ''}; "
                           f"at least {min_labels} are needed (MODERATION_RETRAIN_MIN_LABELS): nothing trained")
    if training is not None and (differ := classifier.data_differences(classifier.base_model(shipped), training)):
        raise NotTheTrainingData(
            f"{training} is not the data the shipped model was trained on ({', '.join(differ)} missing or different); "
            "point MODERATION_TRAINING_DATA at that data, or unset it to fit a site adapter: nothing trained")
    items = _from_labels(useful)
    cut = int(round(len(items) * (1 - HELD_BACK)))
    train, held = items[:cut], items[cut:]
    digest = hashlib.sha256(json.dumps([[i.content, i.url, i.spam, i.toxic] for i in items],
                                       ensure_ascii=False).encode()).hexdigest()[:10]
    kind = "adapter" if training is None else "retrained"
    version = f"{classifier.base_model(shipped).version}+{site or 'all'}.{digest}{'.retrained' if training else ''}"
    log(f"{len(useful)} labels ({len(train)} to train on, the newest {len(held)} held back); candidate {version}")
    started = time.monotonic()

    def step(what: str) -> None:
        log(f"[{time.monotonic() - started:5.1f} s] {what}")

    counts = {"labels": len(useful), "spam": sum(1 for i in items if i.spam == 1),
              "ham": sum(1 for i in items if i.spam == 0), "toxic": sum(1 for i in items if i.toxic == 1),
              "non_toxic": sum(1 for i in items if i.toxic == 0)}
    about = {"site": site or "", "label_counts": counts}
    fixed = fixed if fixed is not None else classifier.gate_sets(FIXED_SAMPLE)
    if training is None:
        step(f"encoding {len(items)} labelled comments")
        feats = classifier.shipped_features(classifier.base_model(shipped), items)  # the encoder once per label
        step(f"fitting the candidate on the {len(train)} oldest labels")
        candidate, _ = classifier.adapt_model(shipped, train, version + ".heldout", feats=feats.part(slice(0, cut)))
        step("comparing current and candidate on the held-back labels and the fixed evaluation sets")
        results, failures = compare(current, candidate, held, fixed, shipped, feats.part(slice(cut, None)))
        step(f"fitting on all {len(items)} labels and storing the version")
        final, manifest = classifier.adapt_model(shipped, items, version, about, feats=feats)
        weight = {h: r.get("weight_c") for h, r in manifest["adapted"]["heads"].items()}
    else:
        step(f"embedding the shipped training data in {training}")
        retrainer = classifier.Retrainer(shipped, classifier.training_sets(training), step)
        step(f"fitting the candidate on the training data and the {len(train)} oldest labels")
        candidate, chosen = retrainer.fit(train, version + ".heldout")
        step("comparing current and candidate on the held-back labels and the fixed evaluation sets")
        results, failures = compare(current, candidate, held, fixed, shipped)
        weight = {h: r["weight"] for h, r in chosen["retrained"]["heads"].items() if r["retrained"]}
        step(f"fitting on the training data and all {len(items)} labels at the chosen weights and storing the version")
        final, manifest = retrainer.fit(items, version, about, chosen["retrained"]["heads"])
        about["training_data"] = manifest.get("data", {})
    shown = table(results)
    log(shown)
    meta = {**about, "kind": kind, "labels": len(useful), "label_digest": digest, "weight": weight,
            "compared_with": current.version, "metrics": results, "table": shown,
            "gate": "passed" if not failures else "; ".join(failures)}
    registry.publish(*classifier.model_parts(final), meta)
    if failures:
        return Outcome(version, False, "; ".join(failures), shown, meta)
    registry.promote(version)
    return Outcome(version, True, "better on the held-back labels, within tolerance on every fixed set", shown, meta)


def in_force(registry: Registry, shipped: classifier.Model) -> classifier.Model:
    """The model every process scores with now."""
    active = registry.active()
    return registry.load(active) if active and active != SHIPPED else shipped


def rescore_pending(store: CommentStore, model: classifier.Model, progress: Callable[[int], object] = lambda n: None,
                    batch: int = 200) -> int:
    """Score the waiting queue again with ``model``, so that its order (risk) follows it. The status stays
    pending (the policy's filing is not redone); a trusted commenter keeps the lower priority it had."""
    done = 0
    for shard in store.keys.all_shards():
        ids = store.ids_in(Status.PENDING, shard)
        for start in range(0, len(ids), batch):
            comments = [c for c in store.get_each(ids[start:start + batch]) if c and c["status"] == Status.PENDING]
            scores = model.score_many(comments)
            moves = []
            for comment, score in zip(comments, scores, strict=True):
                old = comment.get("scores") or {}
                old_top = max(float(old.get("spam", 0)), float(old.get("toxicity", 0)))
                factor = float(comment["risk"]) / old_top if old_top > 0 else 1.0
                new = {"spam": score.spam, "toxicity": score.toxicity, **score.subscores}
                moves.append(Move(comment["id"], (Status.PENDING,), Status.PENDING, "rescore",
                                  f"rescored with {score.version}", {"scores": new, "model_version": score.version},
                                  risk=max(score.spam, score.toxicity) * min(factor, 1.0)))
            store.transition_many(moves)
            done += len(moves)
            progress(len(moves))
    return done
