"""Every setting once: its name, environment variable, default and meaning.

Flask config keys are the names below; the environment variable is ``MODERATION_<NAME>``
except ``REDIS_URL``, which keeps the name every Redis tool already uses.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _opt_str(value: str) -> str | None:
    return value or None


def _zone(value: str) -> str:
    """An IANA time zone name (Europe/Paris), checked now rather than on the first page view; '' is allowed."""
    if value:
        from zoneinfo import ZoneInfo

        ZoneInfo(value)  # ZoneInfoNotFoundError names it
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    meaning: str

    @property
    def env(self) -> str:
        return "REDIS_URL" if self.name == "REDIS_URL" else f"MODERATION_{self.name}"


SETTINGS: tuple[Setting, ...] = (
    Setting("REDIS_URL", None, _opt_str, "Redis to use; unset: `moderation serve` starts an embedded one"),
    Setting("REDIS_PREFIX", "moderation", str, "prefix of every Redis key"),
    Setting("REDIS_WAIT_REPLICAS", 0, int,
            "acknowledge a comment only once this many replicas have it (WAIT; with Sentinel: 1)"),
    Setting("REDIS_SHARDS", 0, int,
            "slots a deployment's comments spread over, by post (0: 1 on one server, 16 on a Cluster); "
            "fixed once data exists"),
    Setting("REDIS_TIMEOUT", 2.0, float, "seconds a Redis connect or command may take before 503"),
    Setting("SECRET_KEY", None, _opt_str,
            "signs review-page sessions; unset: a key kept in DATA_DIR (set it when running several hosts)"),
    Setting("SESSION_MAX_AGE_SECONDS", 43_200, int,
            "a review-page sign-in lasts at most this long (12 h); signing out or revoking the token ends it at once"),
    Setting("DATA_DIR", "./var", str, "where the embedded Redis keeps its socket and append-only files"),
    Setting("HOST", "127.0.0.1", str, "address `moderation serve` binds"),
    Setting("PORT", 8000, int, "port `moderation serve` binds"),
    Setting("WEB_WORKERS", 2, int, "gunicorn worker processes"),
    Setting("SCORING_WORKERS", 1, int, "scoring workers started by `moderation serve`"),
    Setting("ALLOWED_ORIGINS", "", str,
            "comma-separated blog origins (https://blog.example) allowed by CORS and as form redirect targets"),
    Setting("MAX_BODY_BYTES", 64 * 1024, int, "largest accepted request body (413 above)"),
    Setting("BODY_TIMEOUT_SECONDS", 10.0, float,
            "a request body must arrive within this (408 past it): a slow client cannot hold a worker"),
    Setting("TRUSTED_PROXIES", 0, int, "number of proxies whose X-Forwarded-For is trusted for the client IP"),
    Setting("TIME_ZONE", "", _zone,
            "the site's time zone for the review page (Europe/Paris); unset: each moderator's browser's"),
    Setting("MODEL_PATH", None, _opt_str, "model artifact folder; unset: the one shipped in classifier/"),
    Setting("RETRAIN_MIN_LABELS", 50, int,
            "`moderation model retrain` needs at least this many labels that teach something (fewer: nothing trained)"),
    Setting("TRAINING_DATA", None, _opt_str,
            "folder of the shipped training data (classifier/data/DATA.md); set: `moderation model retrain` fits "
            "the heads again on it plus the labels (minutes); unset: a site adapter on the labels alone (seconds)"),
    Setting("RETRAIN_EVERY_LABELS", 0, int,
            "one scoring worker retrains and gates after this many new labels (0: off; `moderation model retrain`)"),
    Setting("MODEL_POLL_SECONDS", 2.0, float,
            "how often every process checks the registry's active model version and switches to it (0: never)"),
    Setting("SPAM_DISCARD_THRESHOLD", 0.91, float,
            "spam probability at or above which a comment goes to `spam` (chosen on held-out French and English "
            "scores: at most 0.5 % of either language's ham; classifier/REPORT.md)"),
    Setting("AUTO_APPROVE", False, _bool, "approve low-risk comments from trusted commenters (opt-in)"),
    Setting("AUTO_APPROVE_MAX_RISK", 0.2, float, "highest risk (max of spam, toxicity) that may be auto-approved"),
    Setting("TRUSTED_PRIORITY_FACTOR", 0.5, float, "queue risk multiplier for commenters with approved comments"),
    Setting("SHADOW_SIGNALS", "", str, "comma-separated rules recorded but not acted on (e.g. honeypot,block_word)"),
    Setting("HONEYPOT_FIELD", "contact_website", str, "hidden form field that only bots fill in"),
    Setting("FORM_TOKEN_MIN_SECONDS", 3.0, float, "a form sent back faster than this is a time-trap signal"),
    Setting("FORM_TOKEN_MAX_SECONDS", 7200.0, float, "a form token older than this is a time-trap signal"),
    Setting("MAX_LINKS", 2, int, "more links than this (content plus website) holds the comment"),
    Setting("BLOCK_LIST", None, _opt_str, "block-list file (default: service/wordlists/block.txt)"),
    Setting("HOLD_LIST", None, _opt_str, "hold-list file (default: service/wordlists/hold.txt)"),
    Setting("FLOOD_SECONDS", 15.0, float,
            "a second comment from one IP or mailbox (variants such as name+tag@ count as one) within this gets 429 "
            "(0: off)"),
    Setting("RATE_PER_MINUTE", 10.0, float, "sustained submissions per minute per IP (token bucket)"),
    Setting("RATE_BURST", 5, int, "submissions per IP allowed in a burst"),
    Setting("RATE_NETWORK_PER_MINUTE", 30.0, float,
            "sustained submissions per minute from one network (see the two prefixes below), all addresses together"),
    Setting("RATE_NETWORK_BURST", 20, int, "submissions one network may send in a burst"),
    Setting("RATE_IPV4_PREFIX", 24, int, "IPv4 addresses in one such network share its budget (/24)"),
    Setting("RATE_IPV6_PREFIX", 64, int,
            "IPv6 addresses in one such network share its budget, and count as one address for flood and rate (/64)"),
    Setting("DUPLICATE_DAYS", 30, int, "same text, email and post within this many days gets 409"),
    Setting("WAVE_MIN_AUTHORS", 5, int, "near-identical text from this many authors within an hour is a spam wave"),
    Setting("AKISMET_SPAM_THRESHOLD", 0.505, float,
            "spam probability at which comment-check answers true (best mean MCC on held-out French and English)"),
    Setting("PERSPECTIVE_STORE", False, _bool,
            "queue comments sent to `comments:analyze` with `doNotStore: false` for review"),
    Setting("PERSPECTIVE_DEFAULT_LANGUAGE", "fr", str,
            "language reported by `comments:analyze` when the request names none and detection fails"),
    Setting("RETENTION_SPAM_DAYS", 30.0, float, "spam comments are purged this long after submission"),
    Setting("RETENTION_REJECTED_DAYS", 30.0, float, "rejected comments are purged this long after submission"),
    Setting("RETENTION_INTERVAL_SECONDS", 3600, int, "how often one scoring worker (of all replicas) purges"),
    Setting("WEBHOOKS", "", str, 'JSON list of {"url", "secrets": [...], "events": [...]}; events: comment.received, '
            "comment.approved, comment.rejected, comment.spam (empty: all)"),
    Setting("WEBHOOK_MAX_ATTEMPTS", 6, int, "deliveries tried per event and endpoint"),
    Setting("WEBHOOK_BACKOFF_SECONDS", 2.0, float, "first retry delay, doubled at each attempt"),
    Setting("NOTIFY_WEBHOOK_URL", None, _opt_str, "where to post a queue.attention notification for moderators"),
    Setting("NOTIFY_WEBHOOK_SECRET", None, _opt_str, "signs the notification like the webhooks"),
    Setting("NOTIFY_PENDING_OVER", 50, int, "notify when more comments than this are pending"),
    Setting("NOTIFY_OLDER_THAN_SECONDS", 3600.0, float, "notify when a pending comment is older than this"),
    Setting("NOTIFY_EVERY_SECONDS", 3600.0, float, "at most one notification per this period"),
    Setting("WORKER_BATCH", 64, int, "comments a scoring worker reads at once"),
    Setting("WORKER_BLOCK_MS", 1000, int, "how long a worker waits for new comments per read"),
    Setting("WORKER_CLAIM_IDLE_MS", 30_000, int, "a comment unacknowledged this long is reclaimed from a dead worker"),
    Setting("WORKER_MAX_ATTEMPTS", 3, int, "scoring attempts before a comment is queued as `classifier_unavailable`"),
    Setting("WORKER_SCORE_BUDGET_SECONDS", 5.0, float,
            "longest a scoring worker spends on one comment; past it the comment is queued as "
            "`classifier_unavailable` at once (0: no limit)"),
    Setting("WORKER_NICE", 10, int, "how much lower a scoring worker's CPU priority is than the web workers' (0 to 19; "
            "0: the same): scoring can wait a moment, a commenter or moderator should not"),
    Setting("QUEUE_PAGE_MAX", 100, int, "largest page of the moderation queue"),
    Setting("METRICS_TOKEN", None, _opt_str,
            "bearer token a Prometheus scraper sends to read `/metrics` (a moderator token also works); unset: "
            "moderator tokens only"),
    Setting("LOG_LEVEL", "INFO", str, "log level of the service and worker"),
    Setting("LOG_FORMAT", "json", str, "`json` (one object per line, with the request id) or `text`"),
)


def defaults() -> dict[str, Any]:
    """The built-in value of every setting."""
    return {s.name: s.default for s in SETTINGS}


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings present in the environment, parsed to their types."""
    environ = os.environ if environ is None else environ
    return {s.name: s.parse(environ[s.env]) for s in SETTINGS if s.env in environ}


def load(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then the environment, then explicit overrides (tests, CLI flags)."""
    return {**defaults(), **from_environment(), **(overrides or {})}


def markdown_table() -> str:
    """The README's configuration table (``python -m service.config``), so docs never drift."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for s in SETTINGS:
        value = str(s.default).lower() if isinstance(s.default, bool) else s.default
        default = "unset" if s.default is None else f"`{value}`"
        rows.append(f"| `{s.env}` | {default} | {s.meaning} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
