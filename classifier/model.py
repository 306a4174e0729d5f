"""The loaded model: vectorise once, score every head, explain the verdict."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from classifier.artifact import HeadWeights
from classifier.encoder import DIMENSIONS, Encoder
from classifier.features import (
    SIGNALS,
    detect_language,
    find_links,
    find_phones,
    find_spans,
    model_input,
    normalise,
    signals,
    url_domain,
)
from classifier.pipeline import DEFAULT_PARAMS, build_hashers

HEAD_NAMES = ("spam", "toxicity")
REASON_THRESHOLD = 0.5
TOP_TERMS = 3
SIGNAL_LABELS = {
    "links": "links", "link_domains": "several link domains", "phone_number": "phone number",
    "messaging_handle": "messaging app (WhatsApp, Telegram…)", "obfuscated_link": "disguised link",
    "email_in_text": "email address in the text", "money_amount": "money amount", "capitals": "capitals",
    "repeated_characters": "repeated characters", "emoji": "emoji", "length": "length",
}


def _char_wb_grams(word: str, low: int, high: int) -> set[str]:
    """The character n-grams sklearn's ``char_wb`` analyzer makes of one normalised word."""
    padded = f" {word} "
    return {padded[i : i + n] for n in range(low, high + 1) for i in range(max(1, len(padded) - n + 1))}


@dataclass(frozen=True)
class Scores:
    """Probabilities in [0, 1] per head, the language, the model version and why."""

    spam: float
    toxicity: float
    language: str
    version: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    # Toxicity sub-scores (insult, threat, identity_attack, profanity): the toxicity times how
    # likely a toxic comment of this kind is. Empty with an artifact that has none.
    subscores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _field(comment: Mapping[str, Any] | str, name: str) -> str:
    if isinstance(comment, str):
        return comment if name == "content" else ""
    value = comment.get(name)
    return str(value) if value else ""


@functools.lru_cache(maxsize=65536)
def _word_index(token: str, n_features: int) -> int:
    """Where HashingVectorizer puts a token (same hash, same folding); cached, words repeat."""
    h = murmurhash3_32(token, seed=0, positive=False)
    if h == -(2**31):
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


def signal_matrix(contents: list[str], urls: list[str]) -> np.ndarray:
    """The hand-made ``SIGNALS`` of each comment, one row per comment."""
    hand = np.array([signals(c, u) for c, u in zip(contents, urls, strict=True)], dtype=np.float32)
    return hand.reshape(len(contents), len(SIGNALS))


def dense_features(encoder: Encoder, contents: list[str], urls: list[str]) -> np.ndarray:
    """Sentence embedding of each comment, then its hand-made signals: the dense half of the input."""
    return np.hstack([encoder.encode(contents), signal_matrix(contents, urls)])


def tfidf(head: HeadWeights, counts: sp.spmatrix) -> sp.csr_matrix:
    """Hashed counts -> sublinear tf, idf, l2 norm, as the head was trained.

    Works on the CSR arrays directly: a diagonal matrix of 500k features costs more than the rest.
    """
    x = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    x.data = (np.log(x.data) + 1.0) * head.idf[x.indices]
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    norms = np.sqrt(np.bincount(rows, weights=x.data.astype(np.float64) ** 2, minlength=x.shape[0]))
    norms[norms == 0] = 1.0
    x.data = (x.data / norms[rows]).astype(np.float32)
    return x


def logits(head: HeadWeights, x: sp.csr_matrix, dense: np.ndarray) -> np.ndarray:
    """The linear model's raw score, before calibration."""
    return (np.asarray(x @ head.coef, dtype=np.float64).ravel() + dense.astype(np.float64) @ head.dense_coef
            + head.intercept)


def calibrate(calibration: tuple[float, float], raw: np.ndarray) -> np.ndarray:
    """Platt scaling fitted on held-out scores: 0.8 means about 80 % of such comments are positive."""
    a, b = calibration
    return 1.0 / (1.0 + np.exp(-(a * raw + b)))


class Model:
    """A scorer built from artifact weights; cheap to call, safe to share between threads."""

    def __init__(self, heads: dict[str, HeadWeights], manifest: dict[str, Any], encoder: Encoder):
        missing = [h for h in HEAD_NAMES if h not in heads]
        if missing:
            raise ValueError(f"artifact lacks heads {missing}")
        self.manifest = manifest
        self.version: str = manifest.get("version", "unknown")
        params = {**DEFAULT_PARAMS, **manifest.get("params", {})}
        self._hashers = build_hashers(params["word_features"], params["char_features"], params["char_ngram_max"])
        self._word_features: int = params["word_features"]
        self._analyzer = self._hashers.transformer_list[0][1].build_analyzer()
        self._char_range = (2, int(params["char_ngram_max"]))
        self._char_features: int = params["char_features"]
        self._heads = heads
        self._encoder = encoder
        self.embedded = 0  # comments that went through the encoder: how much the cascade saves
        has_fast = all(f"{h}.fast" in heads for h in HEAD_NAMES)
        self.subscore_names = tuple(n.removeprefix("kind.") for n in sorted(heads) if n.startswith("kind."))
        self._fast_pass: dict[str, float] | None = manifest.get("fast_pass") if has_fast else None

    def score(self, comment: Mapping[str, Any] | str) -> Scores:
        """Score one comment (a mapping with content, author, url; or a bare string)."""
        return self.score_many([comment])[0]

    def score_many(self, comments: Iterable[Mapping[str, Any] | str]) -> list[Scores]:
        """Score a batch; several times cheaper per comment than one by one."""
        items = list(comments)
        if not items:
            return []
        contents = [_field(c, "content") for c in items]
        urls = [_field(c, "url") for c in items]
        texts = [normalise(model_input(c, u)) for c, u in zip(contents, urls, strict=True)]
        counts = sp.csr_matrix(self._hashers.transform(texts), dtype=np.float32)
        dense = np.zeros((len(items), DIMENSIONS + len(SIGNALS)), dtype=np.float32)
        dense[:, DIMENSIONS:] = signal_matrix(contents, urls)
        weighted = {name: tfidf(self._heads[name], counts) for name in HEAD_NAMES}
        # Cascade: the fast heads (no sentence embedding) settle the comments they are sure are
        # neither spam nor toxic; the encoder runs only for the others.
        probs: dict[str, np.ndarray] = {}
        rows = np.arange(len(items))
        if self._fast_pass is not None:
            for name in HEAD_NAMES:
                fast = self._heads[f"{name}.fast"]
                probs[name] = calibrate(fast.calibration, logits(fast, weighted[name], dense[:, DIMENSIONS:]))
            rows = np.flatnonzero(np.any([probs[h] >= self._fast_pass[h] for h in HEAD_NAMES], axis=0))
        if len(rows):
            dense[rows, :DIMENSIONS] = self._encoder.encode([contents[i] for i in rows])
            self.embedded += len(rows)
            for name in HEAD_NAMES:
                head = self._heads[name]
                full = calibrate(head.calibration, logits(head, weighted[name][rows], dense[rows]))
                probs.setdefault(name, np.zeros(len(items)))[rows] = full
        subscores = {}
        for name in self.subscore_names:
            kind = self._heads[f"kind.{name}"]
            given_toxic = calibrate(kind.calibration, logits(kind, tfidf(kind, counts), dense[:, DIMENSIONS:]))
            subscores[name] = probs["toxicity"] * given_toxic
        out = []
        for i, content in enumerate(contents):
            reasons = self._reasons(i, texts[i], content, urls[i], probs, weighted, dense[i])
            out.append(
                Scores(
                    spam=round(float(probs["spam"][i]), 4),
                    toxicity=round(float(probs["toxicity"][i]), 4),
                    language=detect_language(content),
                    version=self.version,
                    reasons=reasons,
                    subscores={name: round(float(v[i]), 4) for name, v in subscores.items()},
                )
            )
        return out

    def _top_terms(self, head: str, row: sp.csr_matrix, text: str) -> list[tuple[str, float]]:
        """Words that pushed this head up most: each word's own feature plus its character n-grams
        (most of what the n-gram side knows about "c0nnard" lives in "onna", "nard", ...)."""
        coef = self._heads[head].coef
        weights = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        contributions: dict[str, float] = {}
        for token in self._analyzer(text):
            if " " in token or token in contributions:
                continue
            idx = _word_index(token, self._word_features)
            total = weights.get(idx, 0.0) * float(coef[idx])
            for gram in _char_wb_grams(token, *self._char_range):
                cidx = self._word_features + _word_index(gram, self._char_features)
                total += weights.get(cidx, 0.0) * float(coef[cidx])
            contributions[token] = total
        ranked = sorted(contributions.items(), key=lambda kv: -kv[1])
        return [(t, round(w, 2)) for t, w in ranked[:TOP_TERMS] if w > 0.05]

    def _top_signals(self, head: str, dense: np.ndarray) -> list[tuple[str, float]]:
        """Hand-made signals that pushed this head up the most (the embedding is not readable)."""
        weights = self._heads[head].dense_coef[-len(SIGNALS):]
        pushes = [(name, round(float(v * w), 2)) for name, v, w in zip(SIGNALS, dense[-len(SIGNALS):], weights,
                                                                        strict=True)]
        return sorted((kv for kv in pushes if kv[1] > 0.2), key=lambda kv: -kv[1])[:2]

    def _reasons(
        self,
        i: int,
        text: str,
        content: str,
        url: str,
        probs: dict[str, np.ndarray],
        weighted: dict[str, sp.csr_matrix],
        dense: np.ndarray,
    ) -> list[dict[str, Any]]:
        reasons: list[dict[str, Any]] = []
        labels = {"spam": "likely spam", "toxicity": "likely toxic"}
        for head in HEAD_NAMES:
            p = float(probs[head][i])
            if p < REASON_THRESHOLD:
                continue
            terms = self._top_terms(head, weighted[head][i], text)
            pushes = self._top_signals(head, dense)
            parts = [f'"{t}" +{w}' for t, w in terms] + [f"{SIGNAL_LABELS[n]} +{w}" for n, w in pushes]
            detail = f"{labels[head]} ({p:.2f})"
            if parts:
                detail += ": " + ", ".join(parts)
            spans = sorted(set(find_spans(content, [t for t, _ in terms])))
            reasons.append(
                {"source": "classifier", "rule": head, "detail": detail, "score": round(p, 4),
                 "threshold": REASON_THRESHOLD, "terms": [t for t, _ in terms],
                 "signals": [n for n, _ in pushes], "spans": [list(s) for s in spans]}
            )
        links = find_links(content) + ([url] if url else [])
        if links:
            domains = sorted({url_domain(link) for link in links} - {""})
            reasons.append({"source": "signals", "rule": "links",
                            "detail": f"{len(links)} link(s)" + (f": {', '.join(domains)}" if domains else ""),
                            "count": len(links), "domains": domains})
        phones = find_phones(content)
        if phones:
            reasons.append({"source": "signals", "rule": "phone_number", "detail": f"{len(phones)} phone number(s)",
                            "count": len(phones)})
        return reasons
