"""A site's model: the shipped heads, plus what the site's own moderators taught them.

For each head (spam, toxicity) with both kinds of label, an *adapter* is fitted on the site's labels: a
logistic regression over the same hashed n-grams the head reads, plus the shipped head's own logit as
one more input. Its L2 penalty pulls every n-gram weight to zero, so with few labels the adapter trusts
the shipped head (which is what the shipped training data taught) and moves only where the site's
moderators consistently disagree; its strength (logistic regression's C: how far the site's labels may
move the shipped model) is chosen by time-ordered cross-validation on the labels and recorded.

Where the shipped training data is on the host, classifier/retrain.py fits the heads again on it plus the
labels instead (minutes). Elsewhere (the forum comments may not leave the training machine,
classifier/data/DATA.md) an adapter fits in seconds, anywhere, deterministically.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from classifier import artifact, data
from classifier.artifact import HeadWeights
from classifier.model import HEAD_NAMES, Model, adapt_head, tfidf

GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # candidate strengths (C), weakest first
SCALE = 10.0  # the shipped logit enters scaled up: the penalty barely restrains how much the adapter trusts it
FOLDS = 4  # time-ordered: train on the oldest chunks, validate on the next one
MIN_PER_CLASS = 3  # fewer of either kind and a head keeps its shipped weights


@dataclass(frozen=True)
class Labelled:
    """One of the site's labels: the comment and what its moderator said (None: nothing about that head)."""

    content: str
    url: str
    spam: int | None
    toxic: int | None


@dataclass(frozen=True)
class Features:
    """What the shipped model makes of a batch of comments: its hashed n-grams and its probabilities."""

    counts: sp.csr_matrix
    probs: dict[str, np.ndarray]

    def part(self, rows: slice) -> Features:
        return Features(self.counts[rows], {head: p[rows] for head, p in self.probs.items()})


def base(model: Model) -> Model:
    """The shipped heads alone (a site model is never adapted twice: it always starts from the shipped one)."""
    heads = {name: head for name, head in model.heads.items() if not name.startswith("adapt.")}
    manifest = {**model.manifest, "version": model.manifest.get("adapted", {}).get("base", model.version)}
    manifest.pop("adapted", None)
    return Model(heads, manifest, model.encoder)


def features(model: Model, items: Sequence[Labelled]) -> Features:
    scores = model.score_many([{"content": i.content, "url": i.url} for i in items])
    counts = model.hashed([i.content for i in items], [i.url for i in items])
    return Features(counts, {"spam": np.array([s.spam for s in scores]),
                             "toxicity": np.array([s.toxicity for s in scores])})


def probabilities(model: Model, feats: Features) -> dict[str, np.ndarray]:
    """What ``model`` (the shipped heads, or those plus a site's adapters) says of comments whose shipped
    features are ``feats``: no second pass through the encoder."""
    probs = dict(feats.probs)
    for head in HEAD_NAMES:
        adapter = model.heads.get(f"adapt.{head}")
        if adapter is not None:
            probs[head] = adapt_head(adapter, feats.counts, feats.probs[head])
    return probs


def _target(item: Labelled, head: str) -> int | None:
    return item.spam if head == "spam" else item.toxic


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p.astype(np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def fit_head(shipped: HeadWeights, feats: Features, y: np.ndarray, rows: np.ndarray, head: str, c: float
             ) -> HeadWeights:
    """One adapter on ``rows``: n-gram weights and the shipped logit's weight, no intercept of its own: the
    site's share of spam among the decisions (moderators see the doubtful comments) must not shift every
    score, only the words the site's moderators keep judging otherwise may move them.

    Fitted on the n-grams these rows have only (any other gets weight 0 under the L2 penalty anyway): the
    same solution, in thousands of dimensions instead of half a million.
    """
    x = tfidf(shipped, feats.counts[rows])
    used = np.unique(x.indices)
    compact = sp.hstack([x[:, used], sp.csr_matrix(_logit(feats.probs[head][rows]).reshape(-1, 1) * SCALE)]).tocsr()
    clf = LogisticRegression(C=c, max_iter=5000, fit_intercept=False).fit(compact, y[rows])
    coef = np.zeros(shipped.idf.shape[0], dtype=np.float32)
    coef[used] = clf.coef_[0][:-1]
    return HeadWeights(shipped.idf, coef, np.array([clf.coef_[0][-1] * SCALE], dtype=np.float32),
                       0.0)


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def choose_c(shipped: HeadWeights, feats: Features, y: np.ndarray, rows: np.ndarray, head: str
             ) -> tuple[float, dict[str, float]]:
    """The strength with the lowest log loss on later labels, training on earlier ones only (rows are in time
    order). Ties go to the weaker one. Too few labels for that: the middle of the grid."""
    chunks = np.array_split(rows, FOLDS)
    losses: dict[str, float] = {}
    for c in GRID:
        fold_losses = []
        for i in range(1, FOLDS):
            train, test = np.concatenate(chunks[:i]), chunks[i]
            if len(test) == 0 or min(int((y[train] == 1).sum()), int((y[train] == 0).sum())) < 1:
                continue
            adapter = fit_head(shipped, feats, y, train, head, c)
            p = adapt_head(adapter, feats.counts[test], feats.probs[head][test])
            fold_losses.append(_log_loss(y[test], p))
        if fold_losses:
            losses[str(c)] = round(float(np.mean(fold_losses)), 5)
    if not losses:
        return GRID[len(GRID) // 2], losses
    best = min(losses.values())
    return next(c for c in GRID if losses.get(str(c)) == best), losses


def adapt(model: Model, items: Sequence[Labelled], version: str, about: dict[str, Any] | None = None,
          feats: Features | None = None) -> tuple[Model, dict[str, Any]]:
    """A site model from the shipped ``model`` and the site's labels (oldest first); what was fitted, how."""
    shipped = base(model)
    feats = feats or features(shipped, items)
    heads = dict(shipped.heads)
    report: dict[str, Any] = {}
    for head in HEAD_NAMES:
        labelled = np.array([i for i, item in enumerate(items) if _target(item, head) is not None], dtype=int)
        y = np.zeros(len(items), dtype=int)
        y[labelled] = [_target(items[i], head) for i in labelled]
        positives = int(y[labelled].sum())
        if min(positives, len(labelled) - positives) < MIN_PER_CLASS:
            report[head] = {"labels": len(labelled), "positives": positives, "adapted": False}
            continue
        c, losses = choose_c(shipped.heads[head], feats, y, labelled, head)
        heads[f"adapt.{head}"] = fit_head(shipped.heads[head], feats, y, labelled, head, c)
        report[head] = {"labels": len(labelled), "positives": positives, "adapted": True, "weight_c": c,
                        "cv_log_loss": losses}
    manifest = {**shipped.manifest, "version": version,
                "adapted": {"base": shipped.version, "heads": report, **(about or {})}}
    return Model(heads, manifest, shipped.encoder), manifest


# classifier/REPORT.md's evaluation sets, by the head they measure. The first three are bundled with the code, so
# every host has them; the others are read where the training data is (MODERATION_TRAINING_DATA or shared/data
# beside the checkout: the host that trains) and never shipped (YouTube has no licence, ToxiFrench asks so).
REPORT_SETS = (("french_comment_spam", "spam", data.french_comment_spam), ("sms", "spam", data.sms),
               ("hatecheck_fr", "toxicity", data.hatecheck_fr), ("youtube", "spam", data.youtube),
               ("toxifrench_dev", "toxicity", data.toxifrench_dev),
               ("toxifrench_agreement", "toxicity", data.toxifrench_agreement), ("davidson", "toxicity", data.davidson))


def gate_sets(sample: int, root: Path | None = None) -> dict[str, tuple[str, list[data.Example]]]:
    """The fixed evaluation sets a site model must not get worse on: every set of REPORT.md this host can read, a
    fixed-seed sample of each: name -> (head, rows)."""
    root = root or data.data_root()
    found = ((name, head, read(root)) for name, head, read in REPORT_SETS)
    return {name: (head, data.sample(rows, sample)) for name, head, rows in found if rows}


def parts(model: Model) -> tuple[dict[str, Any], bytes]:
    """A model as an artifact's manifest and weights bytes (what a registry stores)."""
    with tempfile.TemporaryDirectory() as folder:
        manifest = {k: v for k, v in model.manifest.items() if k not in ("format", "heads", "weights_sha256")}
        artifact.save(Path(folder), model.heads, manifest)
        return artifact.read_parts(Path(folder))
