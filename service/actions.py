"""What a moderator does to comments besides deciding them, as WordPress's comment screen offers: reply (published
at once), edit (the original kept), delete for good, empty the spam tab, and hold, block or trust an author."""

from __future__ import annotations

from typing import Any

from service.antiabuse import Guard, network_of
from service.intake import Context, Intake
from service.keys import Status
from service.store import CommentStore, now_iso

WAITING = (Status.RECEIVED, Status.PENDING)
AUTHOR_MODES = ("hold", "block", "trust")
IPV4_PREFIX, IPV6_PREFIX = 24, 64  # an address's neighbours share a rule: what a spammer rotates within


class Refused(Exception):
    """An action that cannot be done to this comment: the catalogue key of why."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def reply(store: CommentStore, intake: Intake, comment_id: str, content: str, moderator: str, lang: str) -> str:
    """Publish ``moderator``'s reply under a comment; a comment still waiting is approved first (as WordPress's
    "Approve and Reply" does: a reply under an unpublished comment would hang in the air). Returns the reply's id."""
    parent = store.get(comment_id)
    if parent is None:
        raise Refused("no_comment")
    if parent["status"] in {s.value for s in WAITING}:
        store.transition(comment_id, WAITING, Status.APPROVED, moderator, "approve (replied to)",
                         {"decided_by": moderator, "decided_at": now_iso()}, label=("review", None))
        parent = store.get(comment_id) or parent
    if parent["status"] != Status.APPROVED.value:
        raise Refused("reply_unpublished")
    payload = {"post_id": parent["post_id"], "author": moderator, "content": content, "parent_id": comment_id,
               **{k: parent[k] for k in ("post_title", "post_url") if parent.get(k)}}
    prepared = intake.prepare(payload, lang, "moderator", Context(), optional=("email",), checks=False)
    receipt = intake.receive(prepared)
    store.transition(receipt.comment_id, WAITING, Status.APPROVED, moderator, "a moderator's reply",
                     {"decided_by": moderator, "decided_at": now_iso(), "moderator_reply": "1"})
    return receipt.comment_id


def mark_author(guard: Guard, comment: dict[str, Any], mode: str, by: str, moderator: str) -> dict[str, Any]:
    """Hold, block or trust the author of ``comment``, by email or by the address's network (/24, /64)."""
    if mode not in AUTHOR_MODES or by not in ("email", "address") or (mode == "trust" and by != "email"):
        raise Refused("author_rule")
    note = f"from comment {comment['id']}"
    if by == "email":
        if not comment.get("email"):
            raise Refused("no_email")
        return guard.set_author(mode, moderator, email=comment["email"], note=note)
    if not comment.get("ip"):
        raise Refused("no_address")
    _, network = network_of(comment["ip"], IPV4_PREFIX, IPV6_PREFIX)  # the rate limits' own notion of a network
    return guard.set_author(mode, moderator, ip_prefix=network, note=note)
