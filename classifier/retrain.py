"""A site model retrained from scratch: the shipped training data plus the site's labels, weighted.

Each head (spam, toxicity) with enough of both kinds of label is fitted again, as `python -m classifier train`
fits it, on the shipped training sets plus the site's labelled comments, each label weighing ``w`` training
rows. ``w`` is chosen among ``WEIGHTS`` by time-ordered cross-validation on the labels (fit on the shipped data
plus the oldest chunks, measure the log loss on the next chunk: the future is what a model must predict) and
recorded. The fast head of the cascade is refitted with the same weight (else it would settle the site's new
scam as harmless before the full head saw it); calibrations, the cascade's pass marks and the sub-score heads
stay the shipped ones: thousands of shipped rows against hundreds of labels barely move a head's scale, and the
gate measures the result anyway.

It needs the shipped training data on the host (``MODERATION_TRAINING_DATA``, checked against the checksums
the shipped artifact recorded) and costs about what a training costs (the data is embedded once, then a dozen
linear fits per head); where the data is not, classifier/adapt.py fits an adapter in seconds instead.
liblinear is seeded: the same data and labels give the same weights.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from classifier import data
from classifier.adapt import Labelled
from classifier.adapt import base as shipped_heads
from classifier.artifact import HeadWeights
from classifier.data import Example
from classifier.features import SIGNALS
from classifier.model import HEAD_NAMES, Model, calibrate, dense_features
from classifier.pipeline import DEFAULT_PARAMS
from classifier.train import HEAD_C, Fitter, embedded, spam_examples, toxicity_examples

WEIGHTS = (1.0, 5.0, 25.0)  # how many training rows one of the site's labels weighs: the candidates
# Time-ordered: fit on the oldest chunk(s), measure on the next one: 2 measures per weight. Each is a whole
# head's fit (9 s for spam, 20 s for toxicity on 2 cores); 3 measures took the run past the shipped training's time
# (8 min 27 s against 7 min 21 s), and fits side by side in threads past its memory (2.3 GB against 1.4 GB).
FOLDS = 3
MIN_PER_CLASS = 3  # fewer of either kind and a head keeps its shipped weights
Log = Callable[[str], None]


def training_sets(root: Path) -> dict[str, list[Example]]:
    """What each shipped head was trained on (classifier/train.py reads the same)."""
    return {"spam": spam_examples(root), "toxicity": toxicity_examples(root)}


def data_differences(model: Model, root: Path) -> list[str]:
    """The training files under ``root`` that are missing or differ from those ``model`` was trained on (its
    manifest's checksums): a retrain on other data would not be the shipped training plus the labels."""
    recorded: dict[str, str] = model.manifest.get("data", {})
    found = {name: data.checksum(path) for name, path in data.source_files(root).items()}
    return [name for name, digest in sorted(recorded.items()) if found.get(name) != digest]


def _target(item: Labelled, head: str) -> int | None:
    return item.spam if head == "spam" else item.toxic


def _prefixed(log: Log, prefix: str, line: str) -> None:
    log(f"{prefix}: {line}")


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def fit_weighted(fitter: Fitter, base: np.ndarray, labelled: np.ndarray, w: float) -> HeadWeights:
    """A head fitted on the ``base`` rows (their own source weights) plus the ``labelled`` rows at weight ``w``."""
    weights = fitter.weights.copy()
    weights[labelled] = w
    return fitter.fit(np.concatenate([base, labelled]), weights)


def choose_weight(fitter: Fitter, base: np.ndarray, labelled: np.ndarray, calibration: tuple[float, float],
                  log: Log = lambda s: None, folds: int = FOLDS) -> tuple[float, dict[str, float]]:
    """The weight with the lowest log loss on later labels, fitting on the base rows and earlier labels only
    (``labelled`` is in time order). Ties go to the lighter one. Too few labels for that: the lightest."""
    chunks = np.array_split(labelled, folds)
    y = fitter.labels
    losses: dict[str, float] = {}
    for w in WEIGHTS:
        fold_losses = []
        for i in range(1, folds):
            train, test = np.concatenate(chunks[:i]), chunks[i]
            if len(test) == 0 or len(set(y[train].tolist())) < 2:
                continue
            head = fit_weighted(fitter, base, train, w)
            fold_losses.append(_log_loss(y[test], calibrate(calibration, fitter.raw(head, test))))
        if fold_losses:
            losses[str(w)] = round(float(np.mean(fold_losses)), 5)
            log(f"weight {w:g}: log loss {losses[str(w)]} on later labels")
    if not losses:
        return WEIGHTS[0], losses
    best = min(losses.values())
    return next(w for w in WEIGHTS if losses.get(str(w)) == best), losses


def _with_labels(fitter: Fitter, items: Sequence[Labelled], head: str, dense: np.ndarray, counts: sp.csr_matrix
                 ) -> np.ndarray:
    """Append the labels that say something of ``head`` to ``fitter``'s rows (the comment and its website, as
    scored); returns their row numbers, oldest first."""
    chosen = [i for i, item in enumerate(items) if _target(item, head) is not None]
    start = len(fitter.examples)
    fitter.examples += [Example(items[i].content, int(_target(items[i], head) or 0), "site") for i in chosen]
    fitter.counts = sp.vstack([fitter.counts, counts[chosen]]).tocsr()
    fitter.dense = np.vstack([fitter.dense, dense[chosen]])
    fitter.labels = np.concatenate([fitter.labels, [_target(items[i], head) for i in chosen]]).astype(int)
    fitter.weights = np.concatenate([fitter.weights, np.ones(len(chosen))])
    return np.arange(start, start + len(chosen))


class Retrainer:
    """The shipped training data, embedded once, and the model fitted on it plus any list of labels (the gate
    fits twice: on the older labels to be measured, then on all of them)."""

    def __init__(self, shipped: Model, sets: dict[str, list[Example]], log: Log = lambda s: None):
        self.shipped = shipped_heads(shipped)  # never retrained on top of another site model: always from the data
        self.sets = sets
        self.log = log
        started = time.perf_counter()
        self.dense = embedded(sets)
        log(f"embedded {sum(len(s) for s in sets.values())} training comments in {time.perf_counter() - started:.0f} s")

    def fit(self, items: Sequence[Labelled], version: str, about: dict[str, Any] | None = None,
            chosen: dict[str, Any] | None = None) -> tuple[Model, dict[str, Any]]:
        """A model whose heads are fitted again on the training data plus ``items`` (the site's labels, oldest
        first). ``chosen`` (an earlier fit's report: ``manifest["retrained"]["heads"]``) skips the
        cross-validation: a refit on more labels at the weights chosen then, recorded with how."""
        shipped, log = self.shipped, self.log
        started = time.perf_counter()
        contents, urls = [i.content for i in items], [i.url for i in items]
        dense_labels = dense_features(shipped.encoder, contents, urls)
        counts_labels = shipped.hashed(contents, urls)
        params = {**DEFAULT_PARAMS, **shipped.manifest.get("params", {})}
        heads = dict(shipped.heads)
        report: dict[str, Any] = {}
        for head in HEAD_NAMES:
            positives = sum(1 for i in items if _target(i, head) == 1)
            negatives = sum(1 for i in items if _target(i, head) == 0)
            if min(positives, negatives) < MIN_PER_CLASS:
                report[head] = {"labels": positives + negatives, "positives": positives, "retrained": False}
                continue
            fitter = Fitter(self.sets[head], {**params, "C": HEAD_C.get(head, params["C"])}, self.dense[head])
            rows = np.arange(len(fitter.examples))
            labelled = _with_labels(fitter, items, head, dense_labels, counts_labels)
            earlier = (chosen or {}).get(head, {})
            if earlier.get("retrained"):
                w, losses = earlier["weight"], earlier["cv_log_loss"]
            else:
                w, losses = choose_weight(fitter, rows, labelled, shipped.heads[head].calibration,
                                          functools.partial(_prefixed, log, head))
            log(f"{head}: fitting on {len(rows)} training comments and {len(labelled)} labels at weight {w:g}")
            fast = copy.copy(fitter)  # the cascade's fast head: n-grams and signals, no sentence embedding
            fast.dense = fitter.dense[:, -len(SIGNALS):]
            for name, part in ((head, fitter), (f"{head}.fast", fast)):
                if name in heads:
                    heads[name] = dataclasses.replace(fit_weighted(part, rows, labelled, w),
                                                      calibration=shipped.heads[name].calibration)
            report[head] = {"labels": len(labelled), "positives": positives, "retrained": True, "weight": w,
                            "cv_log_loss": losses}
            del fitter, fast  # one head's matrices at a time
        manifest = {**shipped.manifest, "version": version,
                    "retrained": {"base": shipped.version, "heads": report,
                                  "seconds": round(time.perf_counter() - started, 1), **(about or {})}}
        return Model(heads, manifest, shipped.encoder), manifest
