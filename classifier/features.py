"""Text normalisation, language detection and hand-made signals.

Everything here is pure and fast: it runs once per comment in the scoring worker.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urlsplit

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"})
_REPEATS = re.compile(r"(.)\1{2,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_PHONE = re.compile(r"(?:\+|00)?\d(?:[\s.-]?\d){8,13}")
_WORD = re.compile(r"\w+", re.UNICODE)
# A run of single letters separated by spaces or dots: "c o n n a r d".
_SPACED = re.compile(r"\b(?:\w[\s.\-_*]){3,40}\w\b")

_FR = frozenset(
    "le la les des un une et est pas que qui dans pour sur avec ce cette vous nous je tu il elle "
    "mais ou donc sont être avoir fait très plus tout bien merci article au aux du en ne se sa son "
    "ses leur c'est j'ai d'un d'une de ta ton tes ma mon mes ces sont ont y a".split()
)
_EN = frozenset(
    "the a an and is are was were not that which who in for on with this these you we i he she "
    "but or so be have has do does very more all well thanks article of to it its their it's i'm "
    "don't".split()
)

# Words that never start or end a phrase an explanation names ("de", "the", ...).
FUNCTION_WORDS = _FR | _EN | frozenset(
    "vos votre nos notre moi toi lui eux ils elles on ça ca cet par chez your our my me us them they".split())


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def strip_accents(text: str) -> str:
    """Remove combining marks so that 'connard' and 'cönnard' look the same (one regex pass, in C)."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def _join_spaced(match: re.Match[str]) -> str:
    return re.sub(r"[\s.\-_*]", "", match.group(0))


def normalise(text: str) -> str:
    """Fold case, accents, leetspeak, spaced letters and long repeats into one form."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _URL.sub(lambda m: " " + url_domain(m.group(0)) + " ", text)
    text = strip_accents(text)
    text = _SPACED.sub(_join_spaced, text)
    words = []
    for word in text.split():
        # Translate leetspeak only inside words that also hold letters ("c0nnard", not "2024").
        if any(ch.isalpha() for ch in word) and any(ch in "013457@$€" for ch in word):
            word = word.translate(_LEET)
        words.append(word)
    return _REPEATS.sub(r"\1\1", " ".join(words))


def url_domain(url: str) -> str:
    """The host of a URL without 'www.', or '' when there is none."""
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "http://" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def find_links(text: str) -> list[str]:
    """Every URL written in the text, in order."""
    return [m.group(0).rstrip(".,;:!?)") for m in _URL.finditer(text)]


def find_phones(text: str) -> list[str]:
    """Runs of 9 to 14 digits that look like phone numbers."""
    return [m.group(0) for m in _PHONE.finditer(text)]


_MESSAGING = re.compile(r"\b(?:whats\s?app|wa\.me|telegram|t\.me|viber|wechat|snapchat|skype)\b", re.IGNORECASE)
# "exemple[.]com", "exemple (dot) com", "exemple point com": links written so that filters miss them.
_OBFUSCATED = re.compile(
    r"(?<![\w-])[\w-]{2,63}\s{0,3}(?:\[\.\]|\(\.\)|\[dot\]|\(dot\)|\s(?:dot|point)\s)\s{0,3}"
    r"(?:com|fr|net|org|info|biz|io|co|me|xyz|ru|be|ch|ca)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{1,253}")
_MONEY = re.compile(r"\d[\d\s.,]{0,20}\s?(?:€|\$|£|euros?|usd|dollars?|k€)", re.IGNORECASE)
_SHOUTED = re.compile(r"(?<!w)(?!www)([^\d\s])\1{2,}")  # "!!!", "nuuuul"; not "5000" nor "www"
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF]")

# Hand-made signals fed to both heads next to the text features, in this order. Each is a
# bounded number so that one weight per signal is meaningful and readable in explanations.
SIGNALS = (
    "links", "link_domains", "phone_number", "messaging_handle", "obfuscated_link", "email_in_text",
    "money_amount", "capitals", "repeated_characters", "emoji", "length",
)


def signals(content: str, url: str = "") -> list[float]:
    """The ``SIGNALS`` of one comment, each in about [0, 1]."""
    links = find_links(content) + ([url] if url else [])
    domains = {url_domain(link) for link in links} - {""}
    letters = [ch for ch in content if ch.isalpha()]
    capitals = sum(ch.isupper() for ch in letters) / len(letters) if len(letters) >= 8 else 0.0
    return [
        min(len(links), 5) / 5,
        min(len(domains), 3) / 3,
        float(bool(find_phones(content))),
        float(bool(_MESSAGING.search(content))),
        float(bool(_OBFUSCATED.search(content))),
        float(bool(_EMAIL.search(content))),
        float(bool(_MONEY.search(content))),
        capitals,
        float(bool(_SHOUTED.search(content))),
        min(len(_EMOJI.findall(content)), 5) / 5,
        min(len(content), 2000) / 2000,
    ]


def detect_language(text: str) -> str:
    """'fr', 'en' or 'other' by counting common function words; cheap and offline."""
    words = [w.strip("'") for w in _WORD.findall(text.casefold())]
    if not words:
        return "other"
    fr: float = sum(w in _FR for w in words)
    en = sum(w in _EN for w in words)
    accents = sum(ch in "éèêàùçôîœ" for ch in text.casefold())
    fr += min(accents, 3) * 0.5
    if max(fr, en) < 1:
        return "other"
    return "fr" if fr >= en else "en"


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = strip_accents(ch.casefold())[:1] or ch
    return folded.translate(_LEET)


def fold(text: str) -> str:
    """Case, accents and leetspeak folded one character at a time: offsets in the fold are offsets in
    the text. Fold once, then look for as many terms as needed with ``find_spans``."""
    if text.isascii():
        return text.lower().translate(_LEET)
    return "".join(map(_fold_char, text))


def find_spans(text: str, terms: list[str], folded: str | None = None) -> list[tuple[int, int]]:
    """Where normalised terms (e.g. 'connard' from 'C0nnârd', 'pret entre particuliers' from 'prêt
    entre  particuliers') are written in the original text (``folded``: its ``fold``, if known)."""
    if not terms:
        return []
    folded = fold(text) if folded is None else folded
    words = (r"[\W_]{1,5}".join(re.escape(w) for w in t.split()) for t in terms)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(folded)]


# What a moderator sees marked in a comment beside the words: each signal written as one span.
_SIGNAL_PATTERNS = {"links": _URL, "obfuscated_link": _OBFUSCATED, "phone_number": _PHONE,
                    "messaging_handle": _MESSAGING, "email_in_text": _EMAIL, "money_amount": _MONEY}


def signal_spans(text: str, names: list[str]) -> list[tuple[int, int, str]]:
    """Where the named signals are written: a phone number or a link is one span, labelled by its
    signal, never its digits one by one."""
    return [(m.start(), m.end(), name) for name in names if name in _SIGNAL_PATTERNS
            for m in _SIGNAL_PATTERNS[name].finditer(text)]


def without_links(text: str) -> str:
    """The text with its written links and email addresses blanked: each is explained as one span,
    not word by word."""
    return _EMAIL.sub(" ", _URL.sub(" ", text))


def model_input(content: str, url: str | None = None) -> str:
    """The text a head sees: the comment plus the website field's domain."""
    if url:
        return f"{content} {url_domain(url)}"
    return content
