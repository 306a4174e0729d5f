"""No input may cost time that grows faster than its length: every function that reads user text
is timed on adversarial inputs of the largest accepted size against a quarter of that size.

Linear code takes about 4 times as long on 4 times the text; a back-tracking pattern takes 16
times as long or more (before the fix, 20,000 digits cost ``_MONEY`` 15.7 s). The bound is a
ratio measured in one run, so a slow or busy machine does not make it flaky.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import classifier
from classifier import features
from service import schemas, signals
from service.antiabuse import minhash
from service.textfold import folded
from service.wordlist import WordLists

LARGEST = 65_525  # the longest comment the submission schema accepts
# Pieces that made the old patterns back-track: digits, dots, '@', brackets, spaces and separators.
PIECES = ["1", ".", "@", "[", "]", " ", "1 ", "a-", "a_", "a.", "a@", "1.", "1,", "x@x.", "a[.]", "w", "http://",
          "c o ", " point ", "a1", "é", "\n", "😀", "-", "+", "(dot)", "€"]
WORDS = WordLists.from_files(None, None)
SIGNALS = signals.SignalSettings()


def _repeat(piece: str, length: int) -> str:
    return (piece * (length // len(piece) + 1))[:length]


def _seconds(fn: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - start)
    return best


def _ratio_ok(fn: Callable[[str], object], piece: str, largest: int) -> tuple[bool, str]:
    small = _seconds(fn, _repeat(piece, largest // 4))
    large = _seconds(fn, _repeat(piece, largest))
    # 4x the text: about 4x the time when linear, 16x when quadratic. 20 ms absorb scheduling noise on tiny times.
    return large <= 8 * small + 0.02, f"{large:.3f}s for {largest} chars vs {small:.3f}s for a quarter: superlinear"


def assert_linear(fn: Callable[[str], object], piece: str, largest: int = LARGEST) -> None:
    ok, why = _ratio_ok(fn, piece, largest)
    if not ok:  # a busy machine can stall one measurement; a quadratic pattern fails every time
        ok, why = _ratio_ok(fn, piece, largest)
    assert ok, why


def _submission(text: str) -> object:
    try:
        return schemas.validate_submission({"post_id": "1", "author": text[:245], "email": text[:100] + "@x.fr",
                                            "url": "http://" + text[:190], "content": text}, "fr")
    except Exception:  # refusals are fine: only the time matters here
        return None


FEATURES: dict[str, Callable[[str], object]] = {
    "normalise": features.normalise,
    "signals": lambda t: features.signals(t, "http://" + t[:190]),
    "find_spans": lambda t: features.find_spans(t, ["connard", "pret entre particuliers", "1"]),
    "detect_language": features.detect_language,
    "worker_signals": lambda t: signals.collect(SIGNALS, WORDS, {"post_id": "1", "content": t, "author": t[:245],
                                                                 "email": "a@b.fr", "url": None, "ip": "1.2.3.4"}),
    "submission_schema": _submission,
    "duplicate_fold": lambda t: minhash(folded(t)),
}


@pytest.mark.parametrize("piece", PIECES)
@pytest.mark.parametrize("name", FEATURES)
def test_each_text_function_is_linear_on_repeated_pieces(name: str, piece: str) -> None:
    assert_linear(FEATURES[name], piece)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=2, max_size=4).map("".join))
def test_mixed_adversarial_patterns_stay_linear(unit: str) -> None:
    for fn in (features.normalise, lambda t: features.signals(t, ""), lambda t: minhash(folded(t))):
        assert_linear(fn, unit)


@pytest.mark.parametrize("piece", ["1", "a[.]", "a-", "1 ", "x@x."])
def test_scoring_a_whole_comment_is_linear(model: classifier.Model, piece: str) -> None:
    assert_linear(lambda t: model.score({"content": t, "url": "http://" + t[:190]}), piece)
