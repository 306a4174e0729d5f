"""The one way in for every door: the JSON API, the HTML form, Akismet's comment-check, Perspective's
analyze (with storing), and the WordPress plugin and import when they land.

``prepare()`` validates and builds the stored record with no I/O; ``receive()`` is the one atomic
write (see ``CommentStore.receive``). The request answers only what the commenter must hear now
(422 invalid or forged, 429 flood or rate, 409 duplicate, the reply's parent, idempotent replay);
everything that only informs the moderator (word lists, links, spam waves, author rules, trust,
time trap) is worked out by the scoring worker from the record. Doors translate HTTP to and
from this module; adding a field to a stored comment is one edit, to ``RECORD``.
No Flask here: a door may be a view, a CLI import or a test.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass, replace
from typing import Any

import redis
from marshmallow import ValidationError

from classifier import Scores
from service import formtoken
from service.antiabuse import Admission, Guard, Refused
from service.i18n import t
from service.schemas import validate_submission
from service.store import EXTERNAL_REF_SECONDS, CommentStore, Receipt, now_iso

# The stored comment, field by field, as every door stores it (the worker adds status, scores and reasons).
SUBMITTED = ("post_id", "author", "email", "url", "content", "parent_id",  # what the commenter sent
             "post_title", "post_url")  # and the article it is on, as the page or the plugin names it
RECORD = (
    *SUBMITTED,
    "ip", "user_agent", "referrer", "accept_language",  # what the request tells about the commenter
    "source",  # the door: api, form, akismet, perspective, wordpress
    "site", "external_id",  # a site plugin's comment: the site and the blog's own id for it (WordPress's)
    "email_hash",  # keyed hash of the email: trust, export and erasure without the address as a key name
    "honeypot", "form_age",  # facts for the worker's signals: a filled honeypot, the form's age in seconds
    "created_us", "created_at",
)
# Written by a door that scores in the request (Akismet, Perspective): the worker does not score again.
SCORED = ("scores", "language", "model_version")
FORM_TOKEN_FIELD = "form_token"


@dataclass(frozen=True)
class Context:
    """What the request itself tells about the commenter, recorded for moderators only."""

    ip: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    accept_language: str | None = None


class Invalid(Exception):
    """A submission refused before any I/O: per-field messages in the commenter's language."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Prepared:
    """A validated submission: the record to store and the admission keys to check, nothing written yet."""

    data: dict[str, Any]  # the validated fields (as the schema loads them)
    record: dict[str, str]  # flat strings, as the stream entry and the comment hash hold them
    admission: Admission
    lang: str


class Intake:
    """Validation, record building and the one write, for every door."""

    def __init__(self, store: CommentStore, guard: Guard, secret: str, form_min_seconds: float = 3):
        self.store, self.guard, self.secret = store, guard, secret
        self.form_min_seconds = form_min_seconds

    def prepare(self, payload: Any, lang: str, source: str, context: Context, honeypot: str | None = None,
                form_token: str | None = None, optional: tuple[str, ...] = (), checks: bool = True,
                reference: tuple[str, str] | None = None) -> Prepared:
        """Validate ``payload`` and build the record (no I/O). Raises Invalid (422).

        ``optional``: fields a door may leave out (Akismet allows anonymous, empty comments).
        ``checks``: flood, rate and duplicates apply (off for machine clients moderating a whole blog).
        ``reference``: (site, external id) of a comment a site's plugin sends (it comes back in webhooks).
        """
        try:
            data = validate_submission(payload, lang, optional=optional)
        except ValidationError as exc:
            raise Invalid(exc.normalized_messages()) from None
        values: dict[str, Any] = {name: data.get(name) for name in SUBMITTED}
        if reference:
            values["site"], values["external_id"] = reference
        values.update(ip=context.ip, user_agent=context.user_agent, referrer=context.referrer,
                      accept_language=context.accept_language, source=source,
                      email_hash=self.guard.digest(data["email"]) if data.get("email") else "")
        if honeypot:
            values["honeypot"] = "1"
        if form_token:
            try:
                check = formtoken.check(self.secret, form_token, data["post_id"], self.form_min_seconds, 1e12)
            except formtoken.ForgedToken:
                raise Invalid({FORM_TOKEN_FIELD: [t("forged", lang)]}) from None
            values["form_age"] = f"{check.age_seconds:.1f}"
        values.update(created_us=time.time_ns() // 1000, created_at=now_iso())
        record = {name: str(values[name]) for name in RECORD if values.get(name) not in (None, "")}
        admission = self.guard.admission(data["post_id"], data.get("email") or "", context.ip or "",
                                         data.get("content") or "", checks=checks)
        return Prepared(data, record, admission, lang)

    @staticmethod
    def with_scores(prepared: Prepared, scores: Scores) -> Prepared:
        """The submission with a door's in-request verdict, so that the worker does not score it again."""
        scored = {"scores": json.dumps({"spam": scores.spam, "toxicity": scores.toxicity, **scores.subscores}),
                  "language": scores.language, "model_version": scores.version,
                  "door_reasons": json.dumps(scores.reasons)}
        return replace(prepared, record={**prepared.record, **scored})

    def receive(self, prepared: Prepared, idempotent: tuple[str, str] | None = None, orphans: bool = False
                ) -> Receipt:
        """Store durably, once. Raises antiabuse.Refused (flood, rate, duplicate, parent) having stored nothing.

        ``idempotent`` = (key hash, request fingerprint): a retry gets the first receipt back (``replayed``).
        A site's comment is keyed on (site, external id) instead, for longer than its plugin retries.
        ``orphans``: a reply whose parent we do not hold as approved on the post is kept as a comment of its own
        (a blog that already accepted the comment: the site plugin, the import) instead of refused.
        A broken connection may hide a write that happened: the admission is released so a retry can pass.
        """
        post = prepared.data["post_id"]
        try:
            if orphans and prepared.data.get("parent_id"):
                try:
                    return self._store(prepared, idempotent)
                except Refused as refused:
                    if refused.kind != "parent":
                        raise
                    prepared = replace(prepared, data={**prepared.data, "parent_id": None},
                                       record={k: v for k, v in prepared.record.items() if k != "parent_id"})
            return self._store(prepared, idempotent)
        except redis.exceptions.ConnectionError:
            with contextlib.suppress(redis.exceptions.RedisError):  # Redis is down: the marks expire on their own
                self.store.release(prepared.admission, post)
            raise

    def _store(self, prepared: Prepared, idempotent: tuple[str, str] | None) -> Receipt:
        reference = prepared.record.get("site"), prepared.record.get("external_id")
        if reference[0] and reference[1]:
            key = hashlib.sha256(f"site\0{reference[0]}\0{reference[1]}".encode()).hexdigest()
            return self.store.receive(prepared.record, prepared.admission, (key, "site"),
                                      prepared.data.get("parent_id"), EXTERNAL_REF_SECONDS)
        return self.store.receive(prepared.record, prepared.admission, idempotent, prepared.data.get("parent_id"))
