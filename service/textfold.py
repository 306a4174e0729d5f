"""The text folding that duplicate and near-duplicate checks store in Redis: the service's own.

Fingerprints of folded text live in Redis for weeks (duplicate marks) and an hour (spam-wave
bands). The model package may change its own normalisation with any retrain; if this folding
followed it, marks written before a model change would silently stop matching. So it lives
here, and ``FOLD_VERSION`` is part of every fingerprint: a new fold never matches old marks.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

FOLD_VERSION = "2"

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"})
_REPEATS = re.compile(r"(.)\1{2,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_SPACED = re.compile(r"\b(?:\w[\s.\-_*]){3,40}\w\b")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
# Characters that show nothing: zero-width spaces and joiners, soft hyphens, direction marks, variation selectors.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
_WORDS = re.compile(r"[^\W_]+")


def strip_accents(text: str) -> str:
    """Remove combining marks so that 'connard' and 'cönnard' look the same (one regex pass, in C)."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def _host(url: str) -> str:
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "http://" + url
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def normalise(text: str) -> str:
    """Fold case, accents, leetspeak, spaced letters, links (to their host) and long repeats into one form."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _URL.sub(lambda m: " " + _host(m.group(0)) + " ", text)
    text = _SPACED.sub(lambda m: re.sub(r"[\s.\-_*]", "", m.group(0)), strip_accents(text))
    words = []
    for word in text.split():
        # Translate leetspeak only inside words that also hold letters ("c0nnard", not "2024").
        if any(ch.isalpha() for ch in word) and any(ch in "013457@$€" for ch in word):
            word = word.translate(_LEET)
        words.append(word)
    return _REPEATS.sub(r"\1\1", " ".join(words))


def folded(text: str) -> str:
    """The text as near-duplicate and duplicate checks compare it: normalised words, without invisible
    characters or punctuation ("Bravo !" and "bravo\u200b!!" are one text); text without words keeps its symbols."""
    norm = normalise(_INVISIBLE.sub("", text))
    return " ".join(_WORDS.findall(norm)) or " ".join(norm.split())
