"""The estimator for one head: hashed word and character n-grams, TF-IDF, logistic regression.

The sentence embedding and hand-made signals (``classifier.model.dense_features``) are stacked
next to the TF-IDF columns before the regression; C = 1 was chosen by 5-fold CV on ToxiFrench dev
(the spam head overrides it: ``classifier.train.HEAD_C``).

Hashing keeps the artifact free of a vocabulary (small, fast to load) and lets the
artifact store plain arrays instead of pickled objects.
"""

from __future__ import annotations

from typing import Any

from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

DEFAULT_PARAMS: dict[str, Any] = {
    "word_features": 2**18,
    "char_features": 2**18,
    "char_ngram_max": 5,
    "C": 1.0,
}


def as_is(text: str) -> str:
    """The hashers' preprocessor: texts arrive already through ``features.normalise``, once."""
    return text


def build_hashers(word_features: int, char_features: int, char_ngram_max: int) -> FeatureUnion:
    """The stateless text-to-counts step shared by every head; give it normalised text."""
    word = HashingVectorizer(
        preprocessor=as_is,
        analyzer="word",
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b\w+\b",
        n_features=word_features,
        alternate_sign=False,
        norm=None,
    )
    char = HashingVectorizer(
        preprocessor=as_is,
        analyzer="char_wb",
        ngram_range=(2, char_ngram_max),
        n_features=char_features,
        alternate_sign=False,
        norm=None,
    )
    return FeatureUnion([("word", word), ("char", char)])


def build_pipeline(**params: Any) -> Pipeline:
    """An unfitted pipeline for one binary head; takes no data and does no I/O."""
    p = {**DEFAULT_PARAMS, **params}
    return Pipeline(
        [
            ("hash", build_hashers(p["word_features"], p["char_features"], p["char_ngram_max"])),
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
            (
                "clf",
                LogisticRegression(C=p["C"], class_weight="balanced", max_iter=2000, solver="liblinear",
                                   random_state=0),  # seeded: the same rows give the same weights
            ),
        ]
    )
