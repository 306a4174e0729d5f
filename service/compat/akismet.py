"""An Akismet 1.1-compatible API, so existing blogs and plugins can point at us.

Same form parameters and answers as Akismet: ``true``/``false`` bodies, ``invalid`` for an
unknown key, ``X-akismet-pro-tip: discard`` for blatant spam and ``X-akismet-debug-help``
on a missing parameter. comment-check scores synchronously and also queues the comment
for review (unless ``is_test``).
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, request
from marshmallow import ValidationError

from service import signals
from service.auth import api_client_for
from service.extensions import get_guard, get_model, get_signal_settings, get_store, get_words
from service.i18n import language
from service.policy import SPAM_RULES
from service.schemas import validate_submission

bp = Blueprint("akismet", __name__, url_prefix="/1.1")
THANKS = "Thanks for making the web a better place."


def _text(body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, 200, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})})


def _key() -> str:
    return request.form.get("api_key") or request.form.get("key") or ""


def _missing(*names: str) -> Response | None:
    for name in names:
        if not request.form.get(name):
            return _text(f"Missing required field: {name}.", {"X-akismet-debug-help": f"Empty \"{name}\" value"})
    return None


def _client() -> str | None:
    store = get_store()
    return api_client_for(store.redis, store.keys, _key())


def _invalid() -> Response:
    return _text("invalid", {"X-akismet-debug-help": "We were unable to verify your API key."})


@bp.post("/verify-key")
def verify_key() -> Response:
    """``valid`` for a key made with `moderation api-key create`, else ``invalid``."""
    missing = _missing("key") if not _key() else None
    if missing:
        return missing
    return _text("valid") if _client() else _invalid()


# Akismet's parameter for each submission field, so that a refusal names what the client sent.
PARAMETERS = {"post_id": "permalink", "author": "comment_author", "email": "comment_author_email",
              "url": "comment_author_url", "content": "comment_content"}


def _post_id() -> str:
    page = request.form.get("permalink") or request.form.get("blog") or "akismet"
    return page if len(page) <= 200 else "page:" + hashlib.sha256(page.encode()).hexdigest()


def _comment() -> dict[str, str | None]:
    f = request.form
    return {
        "post_id": _post_id(),
        "author": f.get("comment_author") or "",
        "email": f.get("comment_author_email") or "",
        "url": f.get("comment_author_url") or None,
        "content": f.get("comment_content") or "",
        "parent_id": None,
        "ip": f.get("user_ip"),
        "user_agent": f.get("user_agent"),
        "referrer": f.get("referrer"),
        "accept_language": f.get("blog_lang"),
    }


def _validated(data: dict[str, str | None]) -> dict[str, str | None]:
    """The submission checked as `POST /api/v1/comments` checks it; Akismet allows anonymous, empty comments."""
    given = {k: data[k] for k in PARAMETERS if data[k]}
    try:
        checked = validate_submission(given, language(), optional=("author", "email", "content"))
    except ValidationError as exc:
        field, messages = next(iter(exc.normalized_messages().items()))
        name = PARAMETERS.get(field, field)
        raise Refusal(f"Invalid field: {name}. {' '.join(messages)}", {"X-akismet-debug-help": f"Invalid \"{name}\""}
                      ) from None
    return {**data, **{k: v for k, v in checked.items() if k in given}}


class Refusal(Exception):
    """A request Akismet's protocol answers with a plain-text explanation and a debug header."""

    def __init__(self, text: str, headers: dict[str, str]):
        super().__init__(text)
        self.text, self.headers = text, headers


@bp.errorhandler(Refusal)
def _refusal(refusal: Refusal) -> Response:
    response = _text(refusal.text, refusal.headers)
    response.status_code = 400
    return response


@bp.post("/comment-check")
def comment_check() -> Response:
    """Score one comment in the request (a few milliseconds) and answer Akismet's way; queue it for review."""
    if not _client():
        return _invalid()
    missing = _missing("blog", "user_ip")
    if missing:
        return missing
    data = _validated(_comment())
    honeypot_field = request.form.get("honeypot_field_name") or current_app.config["HONEYPOT_FIELD"]
    store, guard = get_store(), get_guard()
    comment_id = store.new_id(str(data["post_id"]))
    found = signals.collect(get_signal_settings(), get_words(), data, data["ip"],
                            request.form.get(honeypot_field), None)
    scores = get_model().score(data)
    cfg = current_app.config
    blatant = scores.spam >= cfg["SPAM_DISCARD_THRESHOLD"] or any(s["rule"] in SPAM_RULES for s in found)
    spam = blatant or scores.spam >= cfg["AKISMET_SPAM_THRESHOLD"]
    if request.form.get("is_test") not in ("1", "true"):
        email, ip = data["email"] or "", data["ip"] or ""
        admission = guard.admission(str(data["post_id"]), email, ip, data["content"] or "", checks=False)
        # No email, no identity: anonymous comments must not share one trust counter.
        store.submit({**data, "signals": found, "email_hash": guard.digest(email) if email else "",
                      "source": "akismet"}, comment_id, admission)
    headers = {"X-akismet-pro-tip": "discard"} if blatant else {}
    return _text("true" if spam else "false", {**headers, "X-akismet-guid": comment_id})


def _feedback(label: str) -> Response:
    client = _client()
    if not client:
        return _invalid()
    missing = _missing("blog")
    if missing:
        return missing
    data = _comment()
    get_store().record_feedback(label, "akismet", {
        "content": data["content"] or "", "author": data["author"] or "", "url": data["url"] or "",
        "post_id": data["post_id"] or "", "client": client})
    return _text(THANKS)


@bp.post("/submit-spam")
def submit_spam() -> Response:
    """A moderator says this comment is spam: kept as a label for the models."""
    return _feedback("spam")


@bp.post("/submit-ham")
def submit_ham() -> Response:
    """A moderator says this comment is not spam."""
    return _feedback("ham")
