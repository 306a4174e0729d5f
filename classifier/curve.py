"""`python -m classifier learning-curve`: does a site's model get better from its own moderators?

Each YouTube video (spam) and the ToxiFrench dev half (toxicity: real French forum comments) is treated as a
site. For each: the base head is trained on everything else (never on that site), the site's comments are
replayed in the data set's order as moderator decisions, and after the first 25, 50, 100, 200 and 400 of them
the two site models `moderation model retrain` makes are fitted: the head trained again on everything else
plus those labels, at the weight chosen by time-ordered cross-validation on them (classifier/retrain.py, where
the training data is on the host; 3 measures per weight here, 2 in the service), and a site adapter on the
base (classifier/adapt.py, elsewhere). Each is measured on the site's comments that come after the labels it
used, beside the base alone and the shipped model (which was trained on these comments too: its numbers there
are optimistic, not a fair bar). A step is left out when the first labels are all of one kind (nothing to
learn) or fewer than 30 comments follow.
Sites run two at a time (one process each).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import classifier
from classifier import data
from classifier.adapt import Features, choose_c, fit_head
from classifier.model import adapt_head
from classifier.pipeline import DEFAULT_PARAMS
from classifier.retrain import choose_weight, fit_weighted
from classifier.train import HEAD_C, Fitter, binary_metrics, embedded, spam_examples, toxicity_examples

STEPS = (25, 50, 100, 200, 400)
CURVE_FOLDS = 4
MIN_AFTER = 30  # a step is measured only if at least this many of the site's comments come after it


def run(root: Path | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    root = root or data.data_root()
    params = dict(DEFAULT_PARAMS)
    sets = {"spam": spam_examples(root), "toxicity": toxicity_examples(root)}
    started = time.perf_counter()
    dense = embedded(sets)
    log(f"embedded in {time.perf_counter() - started:.0f} s")
    tasks: list[tuple[str, str, list[int]]] = []
    for head, examples in sets.items():
        _FITTERS[head] = Fitter(examples, {**params, "C": HEAD_C.get(head, params["C"])}, dense[head])
        if head == "spam":
            groups = sorted({e.group for e in examples if e.source == "youtube"})
            tasks += [(head, f"youtube {g}", [i for i, e in enumerate(examples)
                                             if e.source == "youtube" and e.group == g]) for g in groups]
        else:
            tasks.append((head, "toxifrench dev half", [i for i, e in enumerate(examples) if e.source == "toxifrench"]))
    tasks = [t for t in tasks if t[2]]
    tasks.sort(key=lambda t: -len(_FITTERS[t[0]].examples) * len(t[2]))  # the longest first
    sites: dict[str, Any] = {}
    with multiprocessing.get_context("fork").Pool(2) as pool:  # the fitters are shared by fork, not copied
        for name, result in pool.imap_unordered(_site_task, tasks):
            sites[name] = result
            log(f"{name} ({time.perf_counter() - started:.0f} s): {result}")
    order = [name for _, name, _ in sorted(tasks, key=lambda t: (t[0] != "spam", t[1]))]
    return {"sites": {name: sites[name] for name in order}, "steps": list(STEPS)}


_FITTERS: dict[str, Fitter] = {}  # set before the pool forks


def _site_task(task: tuple[str, str, list[int]]) -> tuple[str, dict[str, Any]]:
    head, name, rows = task
    return name, _site(_FITTERS[head], np.array(rows), head, classifier.load())


def _sigmoid(raw: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-raw)))


def _site(fitter: Fitter, rows: np.ndarray, head: str, shipped: classifier.Model) -> dict[str, Any]:
    """One site: the base without it, then site models on growing prefixes of its decisions."""
    others = np.setdiff1d(np.arange(len(fitter.examples)), rows)
    base = fitter.fit(others)
    p_base = _sigmoid(fitter.raw(base, rows))
    y = fitter.labels[rows]
    site_texts = [fitter.examples[i].text for i in rows]
    scores = shipped.score_many(site_texts)
    p_shipped = np.array([s.spam if head == "spam" else s.toxicity for s in scores])
    feats = Features(fitter.counts[rows], {head: p_base})
    out: dict[str, Any] = {"comments": len(rows), "positives": int(y.sum()), "steps": {}}
    for n in STEPS:
        after = np.arange(n, len(rows))
        if len(after) < MIN_AFTER or len(set(y[:n].tolist())) < 2:
            continue
        train = np.arange(n)
        c, _ = choose_c(base, feats, y, train, head)
        adapter = fit_head(base, feats, y, train, head, c)
        p_site = adapt_head(adapter, feats.counts[after], p_base[after])
        # uncalibrated, as the base here; 3 measures per weight (the service takes 2, to stay in its time budget)
        w, _ = choose_weight(fitter, others, rows[train], (1.0, 0.0), folds=CURVE_FOLDS)
        p_retrained = _sigmoid(fitter.raw(fit_weighted(fitter, others, rows[train], w), rows[after]))
        out["steps"][n] = {"after": len(after), "weight_c": c, "weight": w,
                           "base": binary_metrics(y[after], p_base[after]),
                           "shipped": binary_metrics(y[after], p_shipped[after]),
                           "site": binary_metrics(y[after], p_site),
                           "retrained": binary_metrics(y[after], p_retrained)}
    return out


def render(result: dict[str, Any]) -> str:
    """The REPORT.md section."""
    lines = ["## Learning from a site's moderators (`python -m classifier learning-curve`)", "",
             __doc__.split("\n\n", 1)[1].strip(), "",
             "| site | labels used | comments after | label weight | ROC AUC base | ROC AUC shipped | "
             "ROC AUC retrained | ROC AUC adapter | MCC base | MCC shipped | MCC retrained | MCC adapter |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, site in result["sites"].items():
        for n, step in site["steps"].items():
            models = [step[k] for k in ("base", "shipped", "retrained", "site")]
            auc = " | ".join(str(r.get("roc_auc")) for r in models)
            mcc = " | ".join(str(r["mcc"]) for r in models)
            lines.append(f"| {name} | {n} | {step['after']} | {step['weight']:g} | {auc} | {mcc} |")
    lines += ["", RESULT]
    return "\n".join(lines) + "\n"


RESULT = """What it shows (both site models with their weight or strength chosen by time-ordered cross-validation on the
labels they used): after 200 decisions the retrained model ranks every site's later comments better than the
base trained without it (ROC AUC: Eminem 0.992 -> 0.997, KatyPerry 0.989 -> 0.992, LMFAO 0.971 -> 0.992, Psy
0.966 -> 0.985, French forum 0.800 -> 0.808) and better than the adapter on four sites of five; its MCC at 0.5
is higher than the base's on four and equal on Eminem. The targets are not met: the French forum site reaches
ROC AUC 0.808 after 200 labels (0.819 after 400) where 0.88 was the aim (Perspective's level; the best published
fine-tuned LLMs reach about 0.86 balanced accuracy on this benchmark, SOURCE.md), and the shipped model, which
trained on these very comments, cannot be beaten on them. Tried: retraining the heads on the training data plus
the labels at weight 1, 5 or 25 (this table: +0.007 over the adapter at 200 labels); for the adapter, an
intercept of its own (the site's share of spam moved every score: MCC collapsed with 25 labels, and a new
scam's labels pushed the fixed sets' ham over 0.5), the shipped logit scaled down instead of up (the penalty
then kept the adapter from trusting the shipped head), the sentence embedding as adapter input (+0.01 to +0.02
ROC AUC on the forum at 200 to 400 labels: 0.82, 0.83). What would close more of it: a better base for French
forum text than n-grams and a 512-d sentence embedding (0.80 here without the site, 0.81 by 5-fold
cross-validation with it, REPORT.md): a French encoder fine-tuned on forum toxicity, which would need a
training step outside scikit-learn and an encoder this service can run offline. The run: `/usr/bin/time -v
python -m classifier learning-curve` took 43 min 51 s on 2 cores (two site processes, 1.6 GB
peak for the largest; other tests ran beside it part of the time)."""
