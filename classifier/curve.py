"""`python -m classifier learning-curve`: does a site's model get better from its own moderators?

Each YouTube video (spam) and the ToxiFrench dev half (toxicity: real French forum comments) is treated as
a site. For each: the base head is trained on everything else (never on that site), the site's comments
are replayed in the data set's order as moderator decisions, and a site adapter (classifier/adapt.py, as
`moderation model retrain` fits it) is trained on the first 25, 50, 100, 200 and 400 of them. Each is
measured on the site's comments that come after the labels it used, beside the base alone and the shipped
model (which was trained on these comments too: its numbers there are optimistic, not a fair bar). A step
is left out when the first labels are all of one kind (nothing to learn) or fewer than 30 comments follow.
"""

from __future__ import annotations

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
from classifier.train import HEAD_C, Fitter, binary_metrics, embedded, spam_examples, toxicity_examples

STEPS = (25, 50, 100, 200, 400)
MIN_AFTER = 30  # a step is measured only if at least this many of the site's comments come after it


def run(root: Path | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    root = root or data.data_root()
    shipped = classifier.load()
    params = dict(DEFAULT_PARAMS)
    sets = {"spam": spam_examples(root), "toxicity": toxicity_examples(root)}
    started = time.perf_counter()
    dense = embedded(sets)
    log(f"embedded in {time.perf_counter() - started:.0f} s")
    sites: dict[str, Any] = {}
    for head, examples in sets.items():
        fitter = Fitter(examples, {**params, "C": HEAD_C.get(head, params["C"])}, dense[head])
        if head == "spam":
            groups = sorted({e.group for e in examples if e.source == "youtube"})
            chosen = {f"youtube {g}": [i for i, e in enumerate(examples) if e.source == "youtube" and e.group == g]
                      for g in groups}
        else:
            chosen = {"toxifrench dev half": [i for i, e in enumerate(examples) if e.source == "toxifrench"]}
        for name, rows in chosen.items():
            if not rows:
                continue
            sites[name] = _site(fitter, np.array(rows), head, shipped, log)
            log(f"{name}: {sites[name]}")
    return {"sites": sites, "steps": list(STEPS)}


def _site(fitter: Fitter, rows: np.ndarray, head: str, shipped: classifier.Model,
          log: Callable[[str], None]) -> dict[str, Any]:
    """One site: the base without it, then adapters on growing prefixes of its decisions."""
    others = np.setdiff1d(np.arange(len(fitter.examples)), rows)
    base = fitter.fit(others)
    p_base = 1.0 / (1.0 + np.exp(-fitter.raw(base, rows)))
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
        out["steps"][n] = {"after": len(after), "weight_c": c, "base": binary_metrics(y[after], p_base[after]),
                           "shipped": binary_metrics(y[after], p_shipped[after]),
                           "site": binary_metrics(y[after], p_site)}
    return out


def render(result: dict[str, Any]) -> str:
    """The REPORT.md section."""
    lines = ["## Learning from a site's moderators (`python -m classifier learning-curve`)", "",
             __doc__.split("\n\n", 1)[1].strip(), "",
             "| site | labels used | comments after | ROC AUC base | ROC AUC shipped | ROC AUC site model | "
             "MCC base | MCC shipped | MCC site model |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, site in result["sites"].items():
        for n, step in site["steps"].items():
            b, s, m = step["base"], step["shipped"], step["site"]
            auc = [r.get("roc_auc") for r in (b, s, m)]
            lines.append(f"| {name} | {n} | {step['after']} | {auc[0]} | {auc[1]} | {auc[2]} | "
                         f"{b['mcc']} | {s['mcc']} | {m['mcc']} |")
    lines += ["", RESULT]
    return "\n".join(lines) + "\n"


RESULT = """What it shows (adapters with no intercept of their own, strength chosen by time-ordered cross-validation):
after 200 decisions every site's model ranks its later comments better than the base trained without it
(ROC AUC), and its MCC at 0.5 is higher on four sites of five and lower on LMFAO. The targets are not met:
the French forum site reaches ROC AUC 0.80 where 0.88 was the aim (Perspective's level), and the shipped
model, which trained on these very comments, cannot be beaten on them. Tried: an intercept of its own (the
site's share of spam moved every score: MCC collapsed with 25 labels, and a new scam's labels pushed the
fixed sets' ham over 0.5); the shipped logit scaled down instead of up (the penalty then kept the adapter
from trusting the shipped head); the sentence embedding as adapter input (+0.01 to +0.02 ROC AUC on the
forum at 200 to 400 labels: 0.82, 0.83). What would close more of it: the embedding in the adapter (every
comment would then pay for the encoder, which the cascade spares half of them today), and a better base for
French forum text (0.80 here without the site, 0.81 by 5-fold cross-validation with it, REPORT.md)."""
