"""The loaded model: vectorise once, score every head, explain the verdict."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from classifier.artifact import HeadWeights
from classifier.encoder import DIMENSIONS, Encoder
from classifier.features import (
    FUNCTION_WORDS,
    SIGNALS,
    detect_language,
    find_links,
    find_phones,
    find_spans,
    fold,
    model_input,
    normalise,
    signal_spans,
    signals,
    url_domain,
    without_links,
)
from classifier.pipeline import DEFAULT_PARAMS, build_hashers

HEAD_NAMES = ("spam", "toxicity")
REASON_THRESHOLD = 0.5
TOP_TERMS = 3
PHRASE_WORDS = 4  # the longest phrase an explanation names
PAIR_MIN = 0.005  # how much a word pair must push up for its two words to read as one phrase
_TOKENS = re.compile(r"(?u)\b\w+\b")  # the word hasher's token_pattern
_PUNCTUATION = re.compile(r"[.!?;:,()\[\]«»\"\n]+")
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


def _weak(token: str) -> bool:
    """A word that cannot start or end a phrase: "de", "the", a lone letter."""
    return len(token) < 2 or token in FUNCTION_WORDS


# Words that may open a phrase ("sans ordonnance") but say nothing alone.
_NOT_ALONE = frozenset("sans pour tout tous plus tres bien avoir faire".split())


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


def adapt_head(adapter: HeadWeights, counts: sp.spmatrix, shipped: np.ndarray) -> np.ndarray:
    """A site adapter's probability: its n-gram weights plus the shipped head's logit, weighed (classifier/adapt.py)."""
    p = np.clip(shipped.astype(np.float64), 1e-4, 1 - 1e-4)
    raw = (np.asarray(tfidf(adapter, counts) @ adapter.coef, dtype=np.float64).ravel()
           + np.log(p / (1 - p)) * float(adapter.dense_coef[0]) + adapter.intercept)
    return np.asarray(1.0 / (1.0 + np.exp(-raw)))


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
        self._char_range = (2, int(params["char_ngram_max"]))
        self._char_features: int = params["char_features"]
        self._heads = heads
        self._encoder = encoder
        self.embedded = 0  # comments that went through the encoder: how much the cascade saves
        has_fast = all(f"{h}.fast" in heads for h in HEAD_NAMES)
        self.subscore_names = tuple(n.removeprefix("kind.") for n in sorted(heads) if n.startswith("kind."))
        self._fast_pass: dict[str, float] | None = manifest.get("fast_pass") if has_fast else None

    @property
    def heads(self) -> dict[str, HeadWeights]:
        return dict(self._heads)

    @property
    def encoder(self) -> Encoder:
        return self._encoder

    def hashed(self, contents: list[str], urls: list[str]) -> sp.csr_matrix:
        """The hashed n-gram counts the heads read (a site adapter reads the same)."""
        texts = [normalise(model_input(c, u)) for c, u in zip(contents, urls, strict=True)]
        return sp.csr_matrix(self._hashers.transform(texts), dtype=np.float32)

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
        counts = self.hashed(contents, urls)
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
        for name in HEAD_NAMES:  # a site model: what the site's moderators taught, on top of the shipped head
            adapter = self._heads.get(f"adapt.{name}")
            if adapter is not None:
                probs[name] = adapt_head(adapter, counts, probs[name])
        subscores = {}
        for name in self.subscore_names:
            kind = self._heads[f"kind.{name}"]
            given_toxic = calibrate(kind.calibration, logits(kind, tfidf(kind, counts), dense[:, DIMENSIONS:]))
            subscores[name] = probs["toxicity"] * given_toxic
        out = []
        for i, content in enumerate(contents):
            reasons = self._reasons(i, counts[i], content, urls[i], probs, dense[i])
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

    def _phrases(self, head: str, counts: sp.csr_matrix, content: str) -> list[tuple[str, float]]:
        """The phrases that pushed this head up most, strongest first.

        Words are weighed by the head's fast twin where there is one: it reads only n-grams and
        signals, so its word weights carry what the full head also learns through the (unreadable)
        sentence embedding. Each word counts its own feature plus its character n-grams (most of
        what is known about "c0nnard" lives in "onna", "nard", ...); a neighbour whose word pair
        pushes up too joins the phrase ("prêt entre particuliers"), at most ``PHRASE_WORDS`` long.
        A phrase never starts or ends on a function word; numbers never stand in one (a phone
        number or an amount is one signal span instead); words of a written link are the link's."""
        weights_of = self._heads.get(f"{head}.fast", self._heads[head])
        coef = weights_of.coef
        row = tfidf(weights_of, counts)
        weights = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        # a phrase never crosses punctuation: "garantis. Appelez" is two
        chunks = [_TOKENS.findall(c) for c in _PUNCTUATION.split(normalise(without_links(content)))]
        word: dict[str, float] = {}
        for token in {t for chunk in chunks for t in chunk}:
            idx = _word_index(token, self._word_features)
            total = weights.get(idx, 0.0) * float(coef[idx])
            for gram in _char_wb_grams(token, *self._char_range):
                cidx = self._word_features + _word_index(gram, self._char_features)
                total += weights.get(cidx, 0.0) * float(coef[cidx])
            word[token] = total
        runs: list[list[str]] = []
        for tokens in chunks:
            run: list[str] = []
            for i, token in enumerate(tokens):
                if run and len(run) < PHRASE_WORDS and not token.isdigit():
                    idx = _word_index(f"{tokens[i - 1]} {token}", self._word_features)
                    if weights.get(idx, 0.0) * float(coef[idx]) > PAIR_MIN and word[token] > 0:
                        run.append(token)
                        continue
                run = [] if token.isdigit() else [token]
                runs.append(run)
        phrases: dict[str, float] = {}
        for run in runs:
            while run and (word[run[0]] <= 0 or _weak(run[0])):
                run.pop(0)
            while run and (word[run[-1]] <= 0 or _weak(run[-1])):
                run.pop()
            if run and not (len(run) == 1 and run[0] in _NOT_ALONE):
                pairs = [f"{a} {b}" for a, b in zip(run, run[1:], strict=False)]
                score = sum(word[t] for t in run) + sum(
                    weights.get(i, 0.0) * float(coef[i]) for i in {_word_index(p, self._word_features) for p in pairs})
                phrases[" ".join(run)] = max(score, phrases.get(" ".join(run), score))
        ranked = sorted(phrases.items(), key=lambda kv: -kv[1])
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
        counts: sp.csr_matrix,
        content: str,
        url: str,
        probs: dict[str, np.ndarray],
        dense: np.ndarray,
    ) -> list[dict[str, Any]]:
        reasons: list[dict[str, Any]] = []
        labels = {"spam": "likely spam", "toxicity": "likely toxic"}
        for head in HEAD_NAMES:
            p = float(probs[head][i])
            if p < REASON_THRESHOLD:
                continue
            terms = self._phrases(head, counts, content)
            pushes = self._top_signals(head, dense)
            # each phrase as the commenter wrote it ("prêt", not "pret"), where it can be found
            folded = fold(content)
            found = {t: find_spans(content, [t], folded) for t, _ in terms}
            written = {t: content[found[t][0][0]:found[t][0][1]] if found[t] else t for t, _ in terms}
            # strongest first, phrases and signals alike: the first is what the moderator reads first
            ranked = sorted([(w, "phrase", written[t]) for t, w in terms] + [(w, "signal", n) for n, w in pushes],
                            key=lambda item: -item[0])
            parts = [f"« {name} » +{w}" if kind == "phrase" else f"{SIGNAL_LABELS[name]} +{w}"
                     for w, kind, name in ranked]
            detail = f"{labels[head]} ({p:.2f})"
            if parts:
                detail += ": " + ", ".join(parts)
            spans = sorted({span for t in found for span in found[t]})
            reasons.append(
                {"source": "classifier", "rule": head, "detail": detail, "score": round(p, 4),
                 "threshold": REASON_THRESHOLD, "terms": [t for t, _ in terms],
                 "phrases": [written[t] for t, _ in terms],
                 "signals": [n for n, _ in pushes], "spans": [list(s) for s in spans],
                 "top": {ranked[0][1]: ranked[0][2]} if ranked else {},
                 "signal_spans": [list(s) for s in signal_spans(content, [n for n, _ in pushes])]}
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
