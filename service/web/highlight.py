"""Split a comment into plain and marked segments; the template escapes every segment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from classifier import find_links

# What may be marked, strongest first: where marks overlap, the stronger one is shown.
KINDS = ("link", "signal", "term")


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str = ""  # "", "term" (a phrase that pushed a verdict), "signal" (e.g. a phone number) or "link"
    label: str = ""  # for a signal: which one, e.g. "phone_number"


def marks(text: str, reasons: Iterable[dict[str, Any]]) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, label) of every written link and of the spans the classifier's reasons name."""
    found: list[tuple[int, int, str, str]] = []
    at = 0
    for link in find_links(text):
        start = text.find(link, at)
        found.append((start, start + len(link), "link", ""))
        at = start + len(link)
    for reason in reasons:
        found += [(s[0], s[1], "signal", str(s[2])) for s in reason.get("signal_spans", []) if len(s) == 3]
        found += [(s[0], s[1], "term", "") for s in reason.get("spans", []) if len(s) == 2]
    return [m for m in found if 0 <= m[0] < m[1] <= len(text)]


def segments(text: str, reasons: Iterable[dict[str, Any]]) -> list[Segment]:
    """The text cut at its marks; overlapping marks give way to the stronger kind, then the earlier."""
    chosen: list[tuple[int, int, str, str]] = []
    for mark in sorted(marks(text, reasons), key=lambda m: (KINDS.index(m[2]), m[0])):
        if all(mark[1] <= a or mark[0] >= b for a, b, _, _ in chosen):
            chosen.append(mark)
    out: list[Segment] = []
    at = 0
    for start, end, kind, label in sorted(chosen):
        if start > at:
            out.append(Segment(text[at:start]))
        out.append(Segment(text[start:end], kind, label))
        at = end
    if at < len(text):
        out.append(Segment(text[at:]))
    return out
