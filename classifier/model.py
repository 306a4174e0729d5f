"""The loaded model: vectorise once, score every head, explain the verdict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from classifier.artifact import HeadWeights
from classifier.features import detect_language, find_links, find_phones, model_input, url_domain
from classifier.pipeline import DEFAULT_PARAMS, build_hashers

HEAD_NAMES = ("spam", "toxicity")
REASON_THRESHOLD = 0.5
TOP_TERMS = 3


@dataclass(frozen=True)
class Scores:
    """Probabilities in [0, 1] per head, the language, the model version and why."""

    spam: float
    toxicity: float
    language: str
    version: str
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _field(comment: Mapping[str, Any] | str, name: str) -> str:
    if isinstance(comment, str):
        return comment if name == "content" else ""
    value = comment.get(name)
    return str(value) if value else ""


def _word_index(token: str, n_features: int) -> int:
    """Where HashingVectorizer puts a token (same hash, same folding)."""
    h = murmurhash3_32(token, seed=0, positive=False)
    if h == -(2**31):
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


def apply_head(head: HeadWeights, counts: sp.spmatrix) -> tuple[np.ndarray, sp.csr_matrix]:
    """Hashed counts -> (probabilities, weighted features): sublinear tf, idf, l2 norm, logistic.

    Works on the CSR arrays directly: a diagonal matrix of 500k features costs more than the rest.
    """
    x = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    x.data = (np.log(x.data) + 1.0) * head.idf[x.indices]
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    norms = np.sqrt(np.bincount(rows, weights=x.data.astype(np.float64) ** 2, minlength=x.shape[0]))
    norms[norms == 0] = 1.0
    x.data = (x.data / norms[rows]).astype(np.float32)
    logits = np.asarray(x @ head.coef, dtype=np.float64).ravel() + head.intercept
    return 1.0 / (1.0 + np.exp(-logits)), x


class Model:
    """A scorer built from artifact weights; cheap to call, safe to share between threads."""

    def __init__(self, heads: dict[str, HeadWeights], manifest: dict[str, Any]):
        missing = [h for h in HEAD_NAMES if h not in heads]
        if missing:
            raise ValueError(f"artifact lacks heads {missing}")
        self.manifest = manifest
        self.version: str = manifest.get("version", "unknown")
        params = {**DEFAULT_PARAMS, **manifest.get("params", {})}
        self._hashers = build_hashers(params["word_features"], params["char_features"], params["char_ngram_max"])
        self._word_features: int = params["word_features"]
        self._analyzer = self._hashers.transformer_list[0][1].build_analyzer()
        self._heads = heads

    def score(self, comment: Mapping[str, Any] | str) -> Scores:
        """Score one comment (a mapping with content, author, url; or a bare string)."""
        return self.score_many([comment])[0]

    def score_many(self, comments: Iterable[Mapping[str, Any] | str]) -> list[Scores]:
        """Score a batch; several times cheaper per comment than one by one."""
        items = list(comments)
        if not items:
            return []
        texts = [model_input(_field(c, "content"), _field(c, "url")) for c in items]
        counts = sp.csr_matrix(self._hashers.transform(texts), dtype=np.float32)
        probs, weighted = {}, {}
        for name, head in self._heads.items():
            probs[name], weighted[name] = apply_head(head, counts)
        out = []
        for i, comment in enumerate(items):
            content = _field(comment, "content")
            reasons = self._reasons(i, texts[i], content, _field(comment, "url"), probs, weighted)
            out.append(
                Scores(
                    spam=round(float(probs["spam"][i]), 4),
                    toxicity=round(float(probs["toxicity"][i]), 4),
                    language=detect_language(content),
                    version=self.version,
                    reasons=reasons,
                )
            )
        return out

    def _top_terms(self, head: str, row: sp.csr_matrix, text: str) -> list[tuple[str, float]]:
        coef = self._heads[head].coef
        weights = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        contributions: dict[str, float] = {}
        for token in self._analyzer(text):
            if " " in token or token in contributions:
                continue
            idx = _word_index(token, self._word_features)
            contributions[token] = weights.get(idx, 0.0) * float(coef[idx])
        ranked = sorted(contributions.items(), key=lambda kv: -kv[1])
        return [(t, round(w, 2)) for t, w in ranked[:TOP_TERMS] if w > 0.05]

    def _reasons(
        self,
        i: int,
        text: str,
        content: str,
        url: str,
        probs: dict[str, np.ndarray],
        weighted: dict[str, sp.csr_matrix],
    ) -> list[dict[str, Any]]:
        reasons: list[dict[str, Any]] = []
        labels = {"spam": "likely spam", "toxicity": "likely toxic"}
        for head in HEAD_NAMES:
            p = float(probs[head][i])
            if p < REASON_THRESHOLD:
                continue
            terms = self._top_terms(head, weighted[head][i], text)
            detail = f"{labels[head]} ({p:.2f})"
            if terms:
                detail += ": " + ", ".join(f'"{t}" +{w}' for t, w in terms)
            reasons.append(
                {"source": "classifier", "rule": head, "detail": detail, "score": round(p, 4),
                 "threshold": REASON_THRESHOLD, "terms": [t for t, _ in terms]}
            )
        links = find_links(content) + ([url] if url else [])
        if links:
            domains = sorted({url_domain(link) for link in links} - {""})
            reasons.append({"source": "signals", "rule": "links",
                            "detail": f"{len(links)} link(s): {', '.join(domains)}",
                            "count": len(links), "domains": domains})
        phones = find_phones(content)
        if phones:
            reasons.append({"source": "signals", "rule": "phone_number", "detail": f"{len(phones)} phone number(s)",
                            "count": len(phones)})
        return reasons
