"""Whole-word block and hold lists, matched in linear time with the term and its position.

Text and entries are folded the same way (case, accents, leetspeak, spaced letters,
repeated letters), then matched token by token against a dictionary of phrases: no regular
expression over the text, so no back-tracking and no time-outs, and "specialist" never
matches "cialis".
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from service.textfold import strip_accents

_TOKEN = re.compile(r"[\w@$€!|]+", re.UNICODE)
_SPACER = re.compile(r"^[\s.\-_*]{1,3}$")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e",
                       "!": "i", "|": "i"})
_REPEAT = re.compile(r"(.)\1+")
_IP_ENTRY = re.compile(r"^[0-9a-fA-F:.]+$")
DEFAULT_DIR = Path(__file__).parent / "wordlists"


@functools.lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """One token's matching form: 'C0NNNARD' and 'connard' both give 'conard'."""
    token = strip_accents(unicodedata.normalize("NFKC", token).casefold()).rstrip("!|")
    if any(ch.isalpha() for ch in token):
        token = token.translate(_LEET)
    return _REPEAT.sub(r"\1", token)


@dataclass(frozen=True)
class Token:
    key: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """Folded tokens with their spans; runs of 3+ single letters ('c o n n a r d') become one token."""
    raw = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    out: list[Token] = []
    i = 0
    while i < len(raw):
        j = i
        while (j + 1 < len(raw) and len(raw[j][0]) == 1 and len(raw[j + 1][0]) == 1
               and _SPACER.match(text[raw[j][2]:raw[j + 1][1]])):
            j += 1
        if j - i >= 2:
            out.append(Token(fold("".join(t for t, _, _ in raw[i:j + 1])), raw[i][1], raw[j][2]))
            i = j + 1
            continue
        key = fold(raw[i][0])
        if key:
            out.append(Token(key, raw[i][1], raw[i][2]))
        i += 1
    return out


def phrase_key(entry: str) -> tuple[str, ...]:
    """The token sequence an entry matches."""
    return tuple(t.key for t in tokens(entry.strip()))


@dataclass(frozen=True)
class Match:
    """One hit: which list, the entry, the field, and where in that field's text."""

    list: str
    term: str
    field: str
    start: int
    end: int
    text: str

    def as_reason(self) -> dict[str, object]:
        return {"source": "wordlist", "rule": f"{self.list}_word", "term": self.term, "field": self.field,
                "start": self.start, "end": self.end,
                "detail": f'{self.list} list: "{self.term}" in {self.field} at {self.start}'}


class WordLists:
    """Block and hold phrases indexed by their token tuples; IP prefixes kept apart."""

    def __init__(self, entries: dict[str, list[str]]):
        self.phrases: dict[tuple[str, ...], tuple[str, str]] = {}
        self.lengths: dict[str, list[int]] = {}  # first token -> phrase lengths starting with it
        self.ip_prefixes: list[tuple[str, str]] = []
        for name, lines in entries.items():
            for line in lines:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if _IP_ENTRY.match(line) and any(ch.isdigit() for ch in line) and ("." in line or ":" in line):
                    self.ip_prefixes.append((name, line))
                    continue
                key = phrase_key(line)
                if key:
                    self.phrases.setdefault(key, (name, line))
        for key in self.phrases:
            lengths = self.lengths.setdefault(key[0], [])
            if len(key) not in lengths:
                lengths.append(len(key))

    @classmethod
    def from_files(cls, block: str | Path | None = None, hold: str | Path | None = None) -> WordLists:
        paths = {"block": Path(block or DEFAULT_DIR / "block.txt"), "hold": Path(hold or DEFAULT_DIR / "hold.txt")}
        return cls({name: path.read_text(encoding="utf-8").splitlines() for name, path in paths.items()})

    def find(self, text: str, field: str = "content") -> list[Match]:
        """Every whole-word match in ``text``: one dictionary look-up per token, more only on a hit."""
        toks = tokens(text)
        found: list[Match] = []
        for i, tok in enumerate(toks):
            for n in self.lengths.get(tok.key, ()):
                hit = self.phrases.get(tuple(t.key for t in toks[i:i + n]))
                if hit:
                    start, end = toks[i].start, toks[i + n - 1].end
                    found.append(Match(hit[0], hit[1], field, start, end, text[start:end]))
        return found

    def find_ip(self, ip: str | None) -> list[Match]:
        """IP entries match as prefixes of the commenter's address."""
        if not ip:
            return []
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            return []
        return [Match(name, prefix, "ip", 0, 0, "") for name, prefix in self.ip_prefixes if ip.startswith(prefix)]
