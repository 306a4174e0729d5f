"""Every Redis key the service uses, built here from one configurable prefix.

Comment data is split into ``shards``: shard 0 has the hash tag ``{c}`` and shard n the tag
``{cn}``. A post's comments, with the post's indexes, all live in one shard (chosen by the post
id), and so do the per-shard status indexes, scoring stream, audit stream and webhook outbox
they are written with: every multi-key atomic step touches one Redis Cluster slot, yet a busy
blog spreads over as many slots as it has shards. A comment id ends with its shard number, so
any comment is found from its id alone.

Admission (flood marks, rate buckets, author rules, spam waves) and the deployment-wide keys
(locks, webhook retries) stay in shard 0's slot ``{c}``: one small write per
submission, no comment data. Moderator tokens and API keys are single hashes of their own.
"""

from __future__ import annotations

import enum
import uuid
import zlib

MAX_SHARDS = 4096  # a shard number fits the id's last 3 hex digits


class Status(enum.StrEnum):
    """A comment's place in moderation; each comment has exactly one at any time."""

    RECEIVED = "received"  # stored, not scored yet
    PENDING = "pending"  # scored, waiting for a moderator
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"


class Keys:
    """Key names for one deployment (one prefix, a fixed number of shards)."""

    def __init__(self, prefix: str = "moderation", shards: int = 1):
        if not 1 <= shards <= MAX_SHARDS:
            raise ValueError(f"shards must be between 1 and {MAX_SHARDS}, not {shards}")
        self.prefix = prefix
        self.shards = shards
        self.base = self.shard_base(0)

    # -- where things live -----------------------------------------------------------------------
    def shard_base(self, shard: int) -> str:
        return f"{self.prefix}:{{c}}" if shard == 0 else f"{self.prefix}:{{c{shard}}}"

    def shard_of_post(self, post_id: str) -> int:
        return zlib.crc32(post_id.encode()) % self.shards if self.shards > 1 else 0

    def shard_of_id(self, comment_id: str) -> int:
        """The shard a comment id names (ids from other writers, or none, map to shard 0)."""
        if self.shards == 1:
            return 0
        try:
            return int(comment_id[-3:], 16) % self.shards
        except ValueError:
            return 0

    def id_suffix(self, post_id: str) -> str:
        """A new comment id's last 15 hex digits: 48 random bits, then 3 naming the post's shard.

        The first 17 come from the comment's entry in its shard's scoring stream (see ``comment_id``),
        which the submission script creates: the id is known once the entry is written.
        """
        return uuid.uuid4().hex[:12] + f"{self.shard_of_post(post_id):03x}"

    @staticmethod
    def comment_id(entry_id: str, suffix: str) -> str:
        """32 hex digits: the stream entry's milliseconds (12) and sequence (5), then ``suffix``.

        So a comment acknowledged but not yet written to its hash by a worker is still found
        from its id alone: its stream entry holds the record (``CommentStore.get``).
        """
        ms, _, seq = entry_id.partition("-")
        return f"{int(ms):012x}{int(seq):05x}{suffix}"

    @staticmethod
    def entry_of(comment_id: str) -> str | None:
        """The scoring-stream entry a comment id names, or None for an id of another form."""
        if len(comment_id) != 32:
            return None
        try:
            return f"{int(comment_id[:12], 16)}-{int(comment_id[12:17], 16)}"
        except ValueError:
            return None

    @property
    def layout(self) -> str:
        """Where the number of shards is recorded: changing it would strand existing posts."""
        return f"{self.base}:layout:shards"

    # -- per comment (the comment's shard) -------------------------------------------------------
    def comment(self, comment_id: str) -> str:
        return f"{self.shard_base(self.shard_of_id(comment_id))}:comment:{comment_id}"

    def label(self, comment_id: str) -> str:
        """A moderator's labelled example for one comment (replaced by a later decision on it)."""
        return f"{self.shard_base(self.shard_of_id(comment_id))}:label:{comment_id}"

    def post_by_time(self, post_id: str, status: str) -> str:
        return self._post_index(self.shard_of_post(post_id), post_id, status, "time")

    def post_by_risk(self, post_id: str, status: str) -> str:
        return self._post_index(self.shard_of_post(post_id), post_id, status, "risk")

    def _post_index(self, shard: int, post_id: str, status: str, order: str) -> str:
        return f"{self.shard_base(shard)}:post:{post_id}:{status}:{order}"

    def duplicate(self, post_id: str, fingerprint: str) -> str:
        """Set while a comment with this fingerprint (post, email, folded text) is on record."""
        return f"{self.shard_base(self.shard_of_post(post_id))}:dup:{fingerprint}"

    def idempotency(self, key_hash: str, post_id: str = "") -> str:
        """The first response to a submission carrying this Idempotency-Key (in its post's shard)."""
        return f"{self.shard_base(self.shard_of_post(post_id))}:idem:{key_hash}"

    # -- per shard -------------------------------------------------------------------------------
    def incoming(self, shard: int = 0) -> str:
        """Stream of comments waiting to be scored."""
        return f"{self.shard_base(shard)}:incoming"

    def audit(self, shard: int = 0) -> str:
        """Stream of every status change."""
        return f"{self.shard_base(shard)}:audit"

    def stats(self, day: str, shard: int = 0) -> str:
        """One day's moderation counts in this shard (the dashboard's rollup: outcomes, decision times, depth)."""
        return f"{self.shard_base(shard)}:stats:{day}"

    def events(self, shard: int = 0) -> str:
        """Outbox stream of comment events for webhooks, written in the same step as the change."""
        return f"{self.shard_base(shard)}:events"

    def by_time(self, status: str, shard: int = 0) -> str:
        return f"{self.shard_base(shard)}:status:{status}:time"

    def by_risk(self, status: str, shard: int = 0) -> str:
        return f"{self.shard_base(shard)}:status:{status}:risk"

    def trust(self, email_hash: str, shard: int = 0) -> str:
        """How many of this (hashed) email's comments in this shard were approved."""
        return f"{self.shard_base(shard)}:trust:{email_hash}"

    def by_email(self, email_hash: str, shard: int = 0) -> str:
        """Ids of the comments in this shard sent with one (hashed) email: for export and erasure."""
        return f"{self.shard_base(shard)}:email:{email_hash}"

    def labels(self, shard: int = 0) -> str:
        """Sorted set of this shard's labelled comment ids, by when they were labelled (ms)."""
        return f"{self.shard_base(shard)}:labels"

    @property
    def label_mark(self) -> str:
        """How many labels there were when the last automatic retraining started."""
        return f"{self.base}:labels:trained"

    def label_counts(self, shard: int = 0) -> str:
        """Hash of ``<spam|ham|toxic|non_toxic>|<source>`` -> how many of this shard's labels say so."""
        return f"{self.shard_base(shard)}:labels:counts"

    def templates(self, shard: int = 0) -> list[str]:
        """``%s`` templates of one shard's index keys, handed to Lua so that it builds no key names itself."""
        return [self.by_time("%s", shard), self.by_risk("%s", shard), self._post_index(shard, "%s", "%s", "time"),
                self._post_index(shard, "%s", "%s", "risk"), self.trust("%s", shard)]

    def all_shards(self) -> range:
        return range(self.shards)

    # -- deployment-wide (shard 0's slot) --------------------------------------------------------
    @property
    def api_keys(self) -> str:
        """Hash of sha256(key) -> machine client record."""
        return f"{self.prefix}:apikeys"

    @property
    def sites(self) -> str:
        """Hash of sha256(credential) -> site record: a blog's plugin, scoped to its own comments."""
        return f"{self.prefix}:sites"

    def site_decisions(self, site: str, shard: int = 0) -> str:
        """Stream of decisions on one site's comments in this shard (the plugin's decisions-since query)."""
        return f"{self.shard_base(shard)}:site:{site}:decisions"

    @property
    def tokens(self) -> str:
        """Hash of sha256(token) -> moderator record."""
        return f"{self.prefix}:tokens"

    def failures(self, what: str, subject_hash: str, window: int) -> str:
        """Failed credential checks of one kind (sign-in form, API token) by one address or credential."""
        return f"{self.prefix}:ratelimit:{what}:{subject_hash}:{window}"

    def session(self, session_hash: str) -> str:
        """A review-page session: who signed in with which token; deleting it signs the cookie out."""
        return f"{self.prefix}:session:{session_hash}"

    # -- admission and anti-abuse (shard 0's slot) -------------------------------------------------
    def flood_address(self, address_hash: str) -> str:
        """Set for the flood interval after a submission from one (hashed) address."""
        return f"{self.base}:flood:ip:{address_hash}"

    def flood_mailbox(self, mailbox_hash: str) -> str:
        """Set for the flood interval after a submission from one (hashed) mailbox."""
        return f"{self.base}:flood:email:{mailbox_hash}"

    def bucket(self, address_hash: str) -> str:
        """Token bucket (hash: tokens, at) of one (hashed) address."""
        return f"{self.base}:bucket:{address_hash}"

    def network_bucket(self, network_hash: str) -> str:
        """Token bucket of one (hashed) network that its addresses share."""
        return f"{self.base}:bucket:net:{network_hash}"

    @property
    def authors(self) -> str:
        """Hash of author rule id (``email:<hash>`` or ``ip:<prefix>``) -> rule JSON (hold or block)."""
        return f"{self.base}:authors"

    def wave_band(self, band: int, value: int) -> str:
        """Sorted set of author hashes (by last time seen) whose text has this MinHash band."""
        return f"{self.base}:wave:{band}:{value:08x}"

    @property
    def wave_pattern(self) -> str:
        """SCAN pattern of every wave band (privacy erasure removes an author from each)."""
        return f"{self.base}:wave:*"

    def lock(self, name: str) -> str:
        """A deployment-wide lock (retention purge, webhook notification) held by one worker at a time."""
        return f"{self.base}:lock:{name}"

    # -- model registry (shard 0's slot) -------------------------------------------------------------
    @property
    def models(self) -> str:
        """Hash of model version -> its metadata (JSON): what every host of the deployment can load."""
        return f"{self.base}:models"

    def model_blob(self, version: str) -> str:
        """Hash of one version's manifest and weights (base64): the artifact itself."""
        return f"{self.base}:models:blob:{version}"

    @property
    def active_model(self) -> str:
        """The version every process scores with (absent: the shipped artifact)."""
        return f"{self.base}:models:active"

    @property
    def model_history(self) -> str:
        """List of the versions active before the current one, newest first: what rollback returns to."""
        return f"{self.base}:models:history"

    # -- webhooks (shard 0's slot) -----------------------------------------------------------------
    @property
    def webhook_retries(self) -> str:
        """Sorted set of webhook deliveries to retry, by when."""
        return f"{self.base}:webhook:retries"

    @property
    def webhook_notified(self) -> str:
        """Set once an operator was told that webhook deliveries keep failing."""
        return f"{self.base}:webhook:notified"

    def webhook_log(self, endpoint_id: str) -> str:
        """Recent delivery attempts to one endpoint."""
        return f"{self.base}:webhook:log:{endpoint_id}"

    SCORING_GROUP = "scorers"
