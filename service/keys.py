"""Every Redis key the service uses, built here from one configurable prefix.

All comment keys share the hash tag ``{c}`` so that every multi-key atomic step
(MULTI/EXEC or Lua) touches one Redis Cluster slot.
"""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    """A comment's place in moderation; each comment has exactly one at any time."""

    RECEIVED = "received"  # stored, not scored yet
    PENDING = "pending"  # scored, waiting for a moderator
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"


class Keys:
    """Key names for one deployment (one prefix)."""

    def __init__(self, prefix: str = "moderation"):
        self.prefix = prefix
        self.base = f"{prefix}:{{c}}"

    def comment(self, comment_id: str) -> str:
        return f"{self.base}:comment:{comment_id}"

    @property
    def incoming(self) -> str:
        """Stream of comments waiting to be scored."""
        return f"{self.base}:incoming"

    @property
    def audit(self) -> str:
        """Stream of every status change."""
        return f"{self.base}:audit"

    def by_time(self, status: str) -> str:
        return f"{self.base}:status:{status}:time"

    def by_risk(self, status: str) -> str:
        return f"{self.base}:status:{status}:risk"

    def post_by_time(self, post_id: str, status: str) -> str:
        return f"{self.base}:post:{post_id}:{status}:time"

    def post_by_risk(self, post_id: str, status: str) -> str:
        return f"{self.base}:post:{post_id}:{status}:risk"

    def templates(self) -> list[str]:
        """``%s`` templates of the index keys, handed to Lua so that it builds no key names itself."""
        return [
            self.by_time("%s"),
            self.by_risk("%s"),
            self.post_by_time("%s", "%s"),
            self.post_by_risk("%s", "%s"),
            self.trust("%s"),
        ]

    def trust(self, email_hash: str) -> str:
        """How many of this (hashed) email's comments were approved."""
        return f"{self.base}:trust:{email_hash}"

    def by_email(self, email_hash: str) -> str:
        """Ids of the comments sent with one (hashed) email: for export and erasure."""
        return f"{self.base}:email:{email_hash}"

    def idempotency(self, key_hash: str) -> str:
        """The first response to a submission carrying this Idempotency-Key."""
        return f"{self.base}:idem:{key_hash}"

    @property
    def events(self) -> str:
        """Outbox stream of comment events for webhooks, written in the same step as the change."""
        return f"{self.base}:events"

    @property
    def feedback(self) -> str:
        """Stream of moderator labels from machine clients (Akismet submit-spam/ham, Perspective)."""
        return f"{self.base}:feedback"

    @property
    def api_keys(self) -> str:
        """Hash of sha256(key) -> machine client record."""
        return f"{self.prefix}:apikeys"

    @property
    def tokens(self) -> str:
        """Hash of sha256(token) -> moderator record."""
        return f"{self.prefix}:tokens"

    SCORING_GROUP = "scorers"
