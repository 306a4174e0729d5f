"""The review queue with the moderator's filters, for the review page and the JSON API alike.

Status, post and order are Redis indexes; reason, language and a search in author and email
are not (they would need an index per value), so a filtered page reads the index page by page
and keeps the matches, reading at most ``max_scan`` comments: its cost is bounded whatever the
queue's size, and the cursor it returns resumes where the scan stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.keys import Status
from service.store import CommentStore


@dataclass(frozen=True)
class Filters:
    status: Status = Status.PENDING
    sort: str = "oldest"
    post: str | None = None
    reason: str = ""  # a rule name: hold_word, spam_wave, honeypot, ...
    language: str = ""  # fr, en
    query: str = ""  # part of the author's name or email, any case

    @property
    def narrowed(self) -> bool:
        return bool(self.reason or self.language or self.query)

    def matches(self, comment: dict[str, Any]) -> bool:
        if self.reason and self.reason not in {r.get("rule") for r in comment.get("reasons") or []}:
            return False
        if self.language and comment.get("language") != self.language:
            return False
        if self.query and self.query.casefold() not in f"{comment['author']} {comment['email']}".casefold():
            return False
        return True


def page(store: CommentStore, filters: Filters, cursor: str | None, limit: int,
         max_scan: int = 2000) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` comments matching ``filters`` from ``cursor`` on, and the cursor to go on from (None at
    the end). Raises store.BadCursor for a cursor the store did not write."""
    found: list[dict[str, Any]] = []
    scanned = 0
    while True:
        items, cursor = store.page(filters.status, filters.sort, filters.post, cursor, limit)
        scanned += len(items)
        found += [c for c in items if filters.matches(c)] if filters.narrowed else items
        if len(found) > limit:  # this page held more matches than were asked for: resume after the last kept
            return found[:limit], store.cursor_after(found[limit - 1], filters.sort)
        if len(found) == limit or cursor is None or scanned >= max_scan:
            return found, cursor
