"""`moderation import wordpress EXPORT.xml`: a blog's existing comments, from a WordPress export (WXR).

Approved comments become published comments and ham labels, spam becomes spam and spam labels, pending
comments go to the review queue (the scoring workers score them); trash, pingbacks and trackbacks are
skipped. Each comment goes through the one intake, keyed on (site, WordPress comment id): re-running the
import stores nothing twice, and the plugin's later submissions of the same blog share those keys.

Nothing half-imported: the whole file is read and every comment checked first (a malformed file or an
invalid comment is reported with its line or comment id, and nothing is written); only then are the
comments written, in the file's order. The file is read twice, streaming: memory does not grow with it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from service.intake import Context, Intake, Invalid, Prepared
from service.keys import Status
from service.store import CommentStore

WP = "{http://wordpress.org/export/%s/}"
VERSIONS = ("1.2", "1.1", "1.0")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
OUTCOMES = {"1": Status.APPROVED, "spam": Status.SPAM, "0": Status.PENDING}
DECIDED = (Status.APPROVED, Status.SPAM)


class BadExport(Exception):
    """The file is not a WordPress export we can read, or some of its comments are invalid: nothing written."""


@dataclass(frozen=True)
class ExportedComment:
    """One comment as the export has it."""

    comment_id: str
    post_id: str
    post_title: str
    post_url: str
    fields: dict[str, str]  # author, email, url, content, parent (WordPress ids), ip, date_gmt
    approved: str  # '1', '0', 'spam', 'trash'
    kind: str  # '', 'comment', 'pingback', 'trackback', ...


def read(path: Path) -> Iterator[ExportedComment]:
    """The export's comments, post by post, streaming. Raises BadExport for a file that is not a WXR."""
    seen_channel = False
    try:
        for _, element in iterparse(str(path), events=("end",), forbid_dtd=True):
            if element.tag == "channel":
                seen_channel = True
            if element.tag != "item":
                continue
            yield from _comments(element)
            element.clear()
    except (ParseError, DefusedXmlException) as exc:
        raise BadExport(f"{path.name} is not well-formed XML: {exc}") from None
    if not seen_channel:
        raise BadExport(f"{path.name} is not a WordPress export (no RSS channel)")


def _comments(item: Element) -> Iterator[ExportedComment]:
    ns = next((WP % v for v in VERSIONS if item.find(f"{WP % v}post_id") is not None), None)
    if ns is None:
        return
    post_id = item.findtext(f"{ns}post_id") or ""
    title, link = item.findtext("title") or "", item.findtext("link") or ""
    for comment in item.iter(f"{ns}comment"):
        def text(name: str, comment: Element = comment) -> str:
            return (comment.findtext(f"{ns}comment_{name}") or "").strip()
        yield ExportedComment(
            text("id"), post_id, title.strip(), link.strip(),
            {"author": text("author"), "email": text("author_email"), "url": text("author_url"),
             "content": comment.findtext(f"{ns}comment_content") or "", "parent": text("parent"),
             "ip": text("author_IP"), "date_gmt": text("date_gmt")},
            text("approved"), text("type"))


def importable(comment: ExportedComment) -> bool:
    """Comments of readers that WordPress kept: not trash, not pingbacks or trackbacks."""
    return comment.approved in OUTCOMES and comment.kind in ("", "comment")


def _prepare(intake: Intake, site: str, comment: ExportedComment, parents: dict[str, str]) -> Prepared:
    f = comment.fields
    payload: dict[str, Any] = {"post_id": comment.post_id, "author": f["author"], "email": f["email"],
                               "url": f["url"], "content": f["content"], "post_title": comment.post_title,
                               "post_url": comment.post_url}
    if f["parent"] not in ("", "0") and f["parent"] in parents:
        payload["parent_id"] = parents[f["parent"]]
    payload = {k: v for k, v in payload.items() if v not in ("", None)}
    prepared = intake.prepare(payload, "en", "import", Context(ip=f["ip"] or None), optional=("author", "email"),
                              checks=False, reference=(site, comment.comment_id))
    when = _when(f["date_gmt"])
    if when is None:
        return prepared
    record = {**prepared.record, "created_us": str(int(when.timestamp() * 1_000_000)),
              "created_at": when.isoformat(timespec="seconds").replace("+00:00", "Z")}
    return replace(prepared, record=record)


def _when(date_gmt: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(date_gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None  # '0000-00-00 00:00:00' for some drafts: the import's time instead


def check(intake: Intake, site: str, path: Path) -> Counter[str]:
    """Read the whole export and check every comment; raise BadExport naming each invalid one."""
    counts: Counter[str] = Counter()
    problems = []
    for comment in read(path):
        if not importable(comment):
            counts["skipped"] += 1
            continue
        try:
            _prepare(intake, site, comment, {})
        except Invalid as exc:
            problems.append(f"comment {comment.comment_id or '?'} (post {comment.post_id}): "
                            + "; ".join(f"{field}: {' '.join(map(str, why))}" for field, why in exc.errors.items()))
        counts[OUTCOMES[comment.approved].value] += 1
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BadExport(f"{len(problems)} comment(s) cannot be imported; nothing was imported:\n  {shown}{more}")
    return counts


def run(intake: Intake, store: CommentStore, site: str, path: Path,
        progress: Callable[[int], object] = lambda n: None, checked: bool = False) -> Counter[str]:
    """Import the export (``checked``: ``check`` already passed): counts of approved, spam, pending,
    already imported and skipped."""
    if not checked:
        check(intake, site, path)
    counts: Counter[str] = Counter()
    parents: dict[str, str] = {}  # WordPress comment id -> ours, for replies
    for comment in read(path):
        progress(1)
        if not importable(comment):
            counts["skipped"] += 1
            continue
        receipt = intake.receive(_prepare(intake, site, comment, parents), orphans=True)
        parents[comment.comment_id] = receipt.comment_id
        if receipt.replayed is not None:
            counts["already imported"] += 1
            continue
        outcome = OUTCOMES[comment.approved]
        if outcome in DECIDED:
            store.transition(receipt.comment_id, (Status.RECEIVED, Status.PENDING), outcome, actor="import",
                             reason=f"{outcome.value} on the blog before the import", fields={"decided_by": site},
                             label=("import", None))
        counts[outcome.value] += 1
    return counts
