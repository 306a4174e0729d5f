"""Split a comment into plain and marked segments; the template escapes every segment."""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.features import find_links, normalise

_TOKEN = re.compile(r"\w+|\W+", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str = ""  # "", "term" (pushed a verdict) or "link"


def segments(text: str, terms: set[str]) -> list[Segment]:
    """Mark the words whose normalised form is a flagged term, and every written link."""
    links = find_links(text)
    out: list[Segment] = []
    rest = text
    for link in links:
        before, _, rest = rest.partition(link)
        out += _words(before, terms)
        out.append(Segment(link, "link"))
    out += _words(rest, terms)
    return out


def _words(text: str, terms: set[str]) -> list[Segment]:
    if not terms:
        return [Segment(text)] if text else []
    out: list[Segment] = []
    for piece in _TOKEN.findall(text):
        marked = piece[0].isalnum() and normalise(piece) in terms
        if out and not marked and not out[-1].kind:
            out[-1] = Segment(out[-1].text + piece)
        else:
            out.append(Segment(piece, "term" if marked else ""))
    return out
